// @tsgi/http-server: HTTPServer on node:http with Tornado's options, routing beside gateway containers, multi-process start and graceful shutdown.
// Nothing is exported yet; this package is being filled in.
export {};

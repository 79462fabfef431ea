// @tsgi/container: WSGIContainer: runs a PEP 3333-style gateway application for each request, with full startResponse semantics, streaming and close().
// Nothing is exported yet; this package is being filled in.
export {};

declare const __TSGI_VERSION__: string | undefined;

/** The default `Server` header and `SERVER_SOFTWARE`: `tsgi/<version>`. */
export const defaultServerSoftware = `tsgi/${typeof __TSGI_VERSION__ === 'string' ? __TSGI_VERSION__ : '0.0.0'}`;

/** `SERVER_NAME` for a request that names no host (HTTP/1.0 without `Host`) on a server with no known address. */
export const defaultServerName = 'localhost';

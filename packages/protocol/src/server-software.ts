declare const __TSGI_VERSION__: string | undefined;

/** The default `Server` header and `SERVER_SOFTWARE`: `tsgi/<version>`. */
export const defaultServerSoftware = `tsgi/${typeof __TSGI_VERSION__ === 'string' ? __TSGI_VERSION__ : '0.0.0'}`;

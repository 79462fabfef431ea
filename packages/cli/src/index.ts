// @tsgi/cli: the `tsgi serve app.js#app` command, and the same thing as a function.
export { type BindAddress, parseBindAddress } from './bind-address.js';
export { parseByteSize } from './byte-size.js';
export { parseDuration } from './duration.js';
export { createProgram } from './program.js';
export { ServeUsageError, type Serving, serve } from './serve.js';
export type { PythonServeOptions, ServeOptions } from './serve-options.js';

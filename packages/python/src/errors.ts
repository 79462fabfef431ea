/** How Python failures show in JavaScript. */

/** The application did not load: `message` says why in one line, then the Python traceback if there is one. */
export class PythonLoadError extends Error {
  override readonly name = 'PythonLoadError';
}

/** An exception the Python application raised; `stack` is its Python traceback. */
export class PythonException extends Error {
  constructor(
    /** The Python exception's type name (`ZeroDivisionError`). */
    override readonly name: string,
    message: string,
    traceback: string,
  ) {
    super(message);
    this.stack = traceback;
  }
}

/** The request was unacceptable (Tornado's `HTTPInputError`): `status` is what the client was (or would be) sent. */
export class HTTPInputError extends Error {
  override name = 'HTTPInputError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The client went away (Tornado's `StreamClosedError`): writing to its connection is no longer possible. */
export class StreamClosedError extends Error {
  override name = 'StreamClosedError';
  constructor(message = 'the client closed the connection', options?: ErrorOptions) {
    super(message, options);
  }
}

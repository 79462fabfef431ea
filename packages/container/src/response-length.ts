/**
 * The length rules of a response body, apart from how it is produced: a body stops at the application's
 * `Content-Length` (the excess is never sent), a HEAD, 204 or 304 response sends none (but HEAD's bytes still
 * count for its computed `Content-Length`), and a body whose end was seen before the headers went out gets its
 * length computed.
 *
 * The functions work on the gateway's response record itself (it has these fields), so no request allocates a
 * second object for them.
 */
import { statusHasNoBody } from '@tsgi/protocol';
import type { ResponseHead } from './response-head.js';

/** What a response's body may still carry. */
export interface BodyLength {
  /** Body bytes still allowed by the application's `Content-Length`. */
  remaining: number;
  /** HEAD, 204 or 304: no body bytes are sent. */
  bodyless: boolean;
  /** The response needs no more body: stop iterating. */
  complete: boolean;
  /** Body bytes of a HEAD, 204 or 304 response, counted for HEAD's `Content-Length` but not sent. */
  discarded: number;
  /** The iterable was exhausted, so the body's length is known if the headers are still pending. */
  lengthKnown: boolean;
}

/** Sets the limits of a (new or replacing) head: its `Content-Length`, and whether it may have a body at all. */
export function limitBody(body: BodyLength, head: ResponseHead, headRequest: boolean): void {
  body.remaining = head.contentLength === -1 ? Number.POSITIVE_INFINITY : head.contentLength;
  body.bodyless = headRequest || statusHasNoBody(head.code);
  body.complete = false;
  body.discarded = 0;
}

/**
 * The part of `chunk` the response may send (cut at `Content-Length`), or `null` when none of it may be sent.
 * Marks the body complete once nothing more can be sent.
 */
export function admitChunk(body: BodyLength, chunk: Uint8Array): Uint8Array | null {
  if (body.bodyless) {
    // The headers are final once the first body bytes exist; the body is not sent.
    body.discarded += chunk.length;
    body.complete = true;
    return null;
  }
  if (body.complete || body.remaining === 0) {
    body.complete = true;
    return null;
  }
  let admitted = chunk;
  if (chunk.length >= body.remaining) {
    admitted = chunk.subarray(0, body.remaining);
    body.complete = true;
  }
  body.remaining -= admitted.length;
  return admitted;
}

/** The body's whole length when its end was seen (`pending` bytes still to send with the head), else -1. */
export function knownLength(body: BodyLength, pending: number): number {
  return body.lengthKnown ? pending + body.discarded : -1;
}

import { HTTPInputError } from './errors.js';
import type { ResolvedOptions } from './options.js';

/**
 * Fields a request must not carry in its trailer section (after a chunked body). RFC 9110 §6.5.1: many fields
 * "cannot be processed outside the header section because their evaluation is necessary prior to receiving the
 * content, such as those that describe message framing, routing, authentication, request modifiers, response
 * controls, or content format", and a sender must not send them as trailers. A request that does is refused (as
 * gunicorn refuses the framing, routing and authentication ones) rather than silently trimmed: whoever sent it
 * may expect a proxy or an application to merge them into the headers, which RFC 9112 §7.1.2 forbids.
 */
const FORBIDDEN_TRAILER_FIELDS = new Set([
  // Message framing (RFC 9112 §6; node's parser refuses the first two itself).
  'content-length',
  'transfer-encoding',
  'trailer',
  // Connection management, hop-by-hop (RFC 9110 §7.6).
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'upgrade',
  // Routing (RFC 9110 §7.2), and the forwarding fields that stand for it behind a proxy (RFC 7239; tsgi reads the
  // X- ones with `xheaders`).
  'host',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-real-ip',
  'x-scheme',
  // Authentication (RFC 9110 §11, RFC 6265).
  'authorization',
  'proxy-authorization',
  'cookie',
  'www-authenticate',
  'proxy-authenticate',
  'set-cookie',
  // Request modifiers: controls (RFC 9110 §10.1, RFC 9111 §5), conditionals (RFC 9110 §13.1), content
  // negotiation (RFC 9110 §12.5).
  'cache-control',
  'expect',
  'max-forwards',
  'pragma',
  'range',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'if-range',
  'accept',
  'accept-charset',
  'accept-encoding',
  'accept-language',
  // Response control data (RFC 9110 §10.2, RFC 9111 §5).
  'age',
  'date',
  'expires',
  'location',
  'retry-after',
  'vary',
  'warning',
  // Content format (RFC 9110 §8.3–8.5, §14.4).
  'content-type',
  'content-encoding',
  'content-language',
  'content-range',
]);

/**
 * Why a request's trailer section (node's flat `rawTrailers`) must be refused, if it must: a field RFC 9110
 * §6.5.1 rules out (400), or more fields than `limitRequestFields` or one larger than `limitRequestFieldSize`
 * (431, the limits headers have). Trailers never reach the environ either way.
 */
export function trailerError(
  rawTrailers: readonly string[],
  options: ResolvedOptions,
): HTTPInputError | undefined {
  if (rawTrailers.length === 0) return undefined;
  const limitFields = options.limitRequestFields;
  if (limitFields > 0 && rawTrailers.length > 2 * limitFields) {
    return new HTTPInputError(431, `more than ${limitFields} trailer fields (limitRequestFields)`);
  }
  const limitSize = options.limitRequestFieldSize;
  for (let index = 0; index < rawTrailers.length; index += 2) {
    const name = rawTrailers[index]!;
    if (limitSize > 0 && name.length + 2 + rawTrailers[index + 1]!.length > limitSize) {
      return new HTTPInputError(
        431,
        `trailer field ${name} is over ${limitSize} bytes (limitRequestFieldSize)`,
      );
    }
    if (FORBIDDEN_TRAILER_FIELDS.has(name.toLowerCase())) {
      return new HTTPInputError(400, `${name} is not allowed in a trailer section (RFC 9110 §6.5.1)`);
    }
  }
  return undefined;
}

/**
 * The request target (RFC 9112 §3.2) split once, the same way for the server's `path`/`query`, the environ's
 * `PATH_INFO`/`QUERY_STRING` and interop's rebuilt requests.
 */

/**
 * The four shapes a target can have: `origin` (`/path?query`), `absolute` (`http://host/path?query`, what a
 * proxy is sent), `asterisk` (`*`, for `OPTIONS *`), and `other` (anything else, which a server refuses).
 */
export type TargetForm = 'origin' | 'absolute' | 'asterisk' | 'other';

/** A request target's parts, each still raw (percent-encoded, one code unit per byte). */
export interface RequestTarget {
  readonly form: TargetForm;
  /** The absolute form's authority without any `user@`; `undefined` for the other forms. */
  readonly authority: string | undefined;
  /**
   * The path: as sent in the origin form, `/` when the absolute form has none, `*` for the asterisk form, and the
   * target before any `?` for the other form.
   */
  readonly path: string;
  /** After the first `?`, before any `#`; `""` when there is none. */
  readonly query: string;
}

/**
 * Splits a raw target into its form, authority, path and query. A `#fragment` is not part of a target (clients
 * do not send one): it is dropped.
 */
export function splitTarget(target: string): RequestTarget {
  const hash = target.indexOf('#');
  const targetEnd = hash < 0 ? target.length : hash;
  const questionMark = target.indexOf('?');
  const pathEnd = questionMark >= 0 && questionMark < targetEnd ? questionMark : targetEnd;
  const query = pathEnd < targetEnd ? target.slice(pathEnd + 1, targetEnd) : '';
  if (target.charCodeAt(0) === 0x2f /* / */) {
    return { form: 'origin', authority: undefined, path: sliceTo(target, pathEnd), query };
  }
  if (target === '*') return { form: 'asterisk', authority: undefined, path: '*', query };
  const authorityStart = absoluteFormAuthorityStart(target);
  if (authorityStart < 0)
    return { form: 'other', authority: undefined, path: sliceTo(target, pathEnd), query };
  const slash = target.indexOf('/', authorityStart);
  const authorityEnd = slash >= 0 && slash < pathEnd ? slash : pathEnd;
  // `user@` (userinfo) is not part of the host.
  const at = target.lastIndexOf('@', authorityEnd - 1);
  const authority = target.slice(at >= authorityStart ? at + 1 : authorityStart, authorityEnd);
  const path = authorityEnd < pathEnd ? target.slice(authorityEnd, pathEnd) : '/';
  return { form: 'absolute', authority, path, query };
}

function sliceTo(target: string, end: number): string {
  return end === target.length ? target : target.slice(0, end);
}

/** Where the authority starts in an absolute-form target (`scheme://`), or -1 when it is not one. */
function absoluteFormAuthorityStart(target: string): number {
  let index = 0;
  for (; index < target.length; index++) {
    const code = target.charCodeAt(index) | 0x20;
    const isLetter = code >= 0x61 && code <= 0x7a;
    if (
      index === 0
        ? !isLetter
        : !(isLetter || (code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x2e || code === 0x2d)
    ) {
      break;
    }
  }
  if (index === 0 || !target.startsWith('://', index)) return -1;
  return index + 3;
}

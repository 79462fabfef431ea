/**
 * The guestbook: a form that posts to the application, which reads `wsgi.input` itself. A bad post (too large,
 * not urlencoded, malformed, empty) gets a 4xx page that says why and keeps what the visitor typed; nothing
 * already stored is touched, because an entry is only appended once it is known to be good.
 */
import type { Environ, ResponseIterable, StartResponse } from '@tsgi/environ';
import { type GuestbookEntry, GuestbookStore } from './guestbook-store.js';
import { escapeHTML, page } from './html.js';
import { respondHTML } from './respond.js';
import { MalformedFormError, parseURLEncoded } from './urlencoded.js';

/** The largest form body accepted. */
export const maxGuestbookPostBytes = 8 * 1024;
/** The longest name and message accepted, in characters. */
export const maxNameLength = 80;
export const maxMessageLength = 2000;

/** Where entries are kept: `GUESTBOOK_FILE`, which the demo's `--guestbook` flag sets. */
function store(): GuestbookStore {
  const file = process.env.GUESTBOOK_FILE;
  if (!file) throw new Error('GUESTBOOK_FILE is not set: the demo sets it before starting its executor');
  return new GuestbookStore(file);
}

/** A post the guestbook refuses: its HTTP status and why. */
class RejectedPost extends Error {
  constructor(
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

interface Draft {
  readonly name: string;
  readonly message: string;
}

const timeFormat = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/** `2 Dec 2026, 18:34 UTC` for an ISO timestamp; the text itself when it is not one. */
function describeTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : `${timeFormat.format(time)} UTC`;
}

function renderEntries(entries: readonly GuestbookEntry[]): string {
  if (entries.length === 0) return '<p id="no-entries" class="panel">No entries yet: be the first.</p>';
  const items = entries
    .slice()
    .reverse()
    .map(
      (entry) =>
        `<li><strong>${escapeHTML(entry.name)}</strong> <time class="note" datetime="${escapeHTML(entry.postedAt)}">` +
        `${escapeHTML(describeTime(entry.postedAt))}</time>` +
        `<br>${escapeHTML(entry.message).replace(/\n/g, '<br>')}</li>`,
    )
    .join('\n');
  return `<ol class="entries" id="entries" reversed>\n${items}\n</ol>`;
}

function renderPage(environ: Environ, problem?: string, draft: Draft = { name: '', message: '' }): string {
  const action = `${environ.SCRIPT_NAME}/guestbook`;
  const entries = store().entries();
  const error = problem ? `<p class="error" id="problem" role="alert">${escapeHTML(problem)}</p>` : '';
  const body = `
<div class="split">
<section class="panel">
<h2>Sign it</h2>
${error}
<form method="post" action="${escapeHTML(action)}">
<label>Your name <input type="text" name="name" maxlength="${maxNameLength}" autocomplete="name" value="${escapeHTML(draft.name)}"></label>
<label>Message <textarea name="message" rows="5" maxlength="${maxMessageLength}">${escapeHTML(draft.message)}</textarea></label>
<button type="submit">Sign the guestbook</button>
</form>
<p class="note">At most ${maxGuestbookPostBytes} bytes; a name up to ${maxNameLength} characters, a message up to
${maxMessageLength}.</p>
</section>
<section>
<h2>${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}</h2>
${renderEntries(entries)}
</section>
</div>`;
  return page('Guestbook', body, {
    current: '/guestbook',
    lead: `The form posts <code>application/x-www-form-urlencoded</code>, and the application reads the body from
      <code>wsgi.input</code> itself. Entries are appended to a file, so every worker thread (and process) sees
      them.`,
  });
}

/** Reads the whole body, refusing it as soon as it is longer than the limit. */
function readBody(environ: Environ): Uint8Array {
  const declared = environ.CONTENT_LENGTH ? Number(environ.CONTENT_LENGTH) : undefined;
  if (declared !== undefined && declared > maxGuestbookPostBytes) {
    throw new RejectedPost(
      '413 Content Too Large',
      `The post is ${declared} bytes; the limit is ${maxGuestbookPostBytes}.`,
    );
  }
  const input = environ['wsgi.input'];
  const pieces: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const piece = input.read(maxGuestbookPostBytes + 1 - length);
    if (piece.length === 0) break;
    pieces.push(piece);
    length += piece.length;
    if (length > maxGuestbookPostBytes) {
      throw new RejectedPost(
        '413 Content Too Large',
        `The post is over the limit of ${maxGuestbookPostBytes} bytes.`,
      );
    }
  }
  return Buffer.concat(pieces, length);
}

function field(fields: Map<string, string[]>, name: string): string {
  return (fields.get(name)?.[0] ?? '').trim();
}

function parseDraft(environ: Environ): Draft {
  const contentType = (environ.CONTENT_TYPE ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') {
    throw new RejectedPost(
      '415 Unsupported Media Type',
      `The guestbook takes application/x-www-form-urlencoded posts, not "${contentType || 'nothing'}".`,
    );
  }
  let fields: Map<string, string[]>;
  try {
    fields = parseURLEncoded(readBody(environ));
  } catch (error) {
    if (error instanceof MalformedFormError) {
      throw new RejectedPost('400 Bad Request', `The form could not be read: ${error.message}.`);
    }
    throw error;
  }
  return { name: field(fields, 'name'), message: field(fields, 'message') };
}

function validate(draft: Draft): string | undefined {
  if (!draft.name && !draft.message) return 'The post is empty: write a name and a message.';
  if (!draft.name) return 'Please write your name.';
  if (!draft.message) return 'Please write a message.';
  if (draft.name.length > maxNameLength) return `The name is longer than ${maxNameLength} characters.`;
  if (draft.message.length > maxMessageLength)
    return `The message is longer than ${maxMessageLength} characters.`;
  return undefined;
}

export function guestbookPage(environ: Environ, startResponse: StartResponse): ResponseIterable {
  const method = environ.REQUEST_METHOD;
  if (method === 'GET' || method === 'HEAD') {
    return respondHTML(startResponse, '200 OK', renderPage(environ));
  }
  if (method !== 'POST') {
    return respondHTML(
      startResponse,
      '405 Method Not Allowed',
      renderPage(environ, `${method} is not allowed here.`),
      [['Allow', 'GET, HEAD, POST']],
    );
  }
  let draft: Draft;
  try {
    draft = parseDraft(environ);
  } catch (error) {
    if (!(error instanceof RejectedPost)) throw error;
    return respondHTML(startResponse, error.status, renderPage(environ, error.message));
  }
  const problem = validate(draft);
  if (problem) return respondHTML(startResponse, '400 Bad Request', renderPage(environ, problem, draft));
  store().add({ ...draft, postedAt: new Date().toISOString() });
  // Post/Redirect/Get: reloading the page afterwards does not post twice.
  const location = `${environ.SCRIPT_NAME}/guestbook`;
  const body = `<p>Thank you, your entry is stored. <a href="${escapeHTML(location)}">Back to the guestbook</a>.</p>`;
  return respondHTML(startResponse, '303 See Other', page('Signed', body, { current: '/guestbook' }), [
    ['Location', location],
  ]);
}

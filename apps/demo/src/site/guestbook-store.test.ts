import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GuestbookStore } from './guestbook-store.js';

describe('GuestbookStore', () => {
  const directory = mkdtempSync(join(tmpdir(), 'tsgi-guestbook-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('starts empty, keeps entries in order, and skips a damaged line without losing the others', () => {
    const store = new GuestbookStore(join(directory, 'nested', 'book.jsonl'));
    expect(store.entries()).toEqual([]);
    const first = { name: 'Ada', message: 'Hello\nthere', postedAt: '2026-01-01T00:00:00.000Z' };
    const second = { name: 'Grace', message: '<b>hi</b>', postedAt: '2026-01-02T00:00:00.000Z' };
    store.add(first);
    appendFileSync(store.file, '{"name":"torn');
    appendFileSync(store.file, '\n');
    store.add(second);
    expect(store.entries()).toEqual([first, second]);
  });
});

import { describe, expect, test } from 'vitest';
import { announcedPort } from './server-process.mjs';

describe('announcedPort', () => {
  test('reads the line our servers print', () => {
    expect(announcedPort('LISTENING 43127\n')).toBe(43127);
  });
  test("reads gunicorn's log line", () => {
    expect(
      announcedPort(
        '[2026-11-22 06:00:00 +0000] [12] [INFO] Starting gunicorn 20.1.0\n' +
          '[2026-11-22 06:00:00 +0000] [12] [INFO] Listening at: http://127.0.0.1:38811 (12)\n',
      ),
    ).toBe(38811);
  });
  test('is undefined until the server has said it listens', () => {
    expect(announcedPort('[INFO] Starting gunicorn 20.1.0\n')).toBeUndefined();
  });
});

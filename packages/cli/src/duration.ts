/** Durations on the command line: `30s`, `500ms`, `2m`; a bare number is seconds (as in gunicorn). */

const units: Record<string, number> = { ms: 1, s: 1000, '': 1000, m: 60_000, h: 3_600_000 };

/** Parses a duration into milliseconds; throws a `RangeError` that says what is accepted. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|)\s*$/i.exec(text);
  if (!match) {
    throw new RangeError(
      `"${text}" is not a duration: use seconds or a number with ms, s, m or h (e.g. 30s)`,
    );
  }
  return Math.round(Number(match[1]) * units[match[2]!.toLowerCase()]!);
}

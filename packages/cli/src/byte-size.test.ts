import { describe, expect, it } from 'vitest';
import { parseByteSize } from './byte-size.js';

describe('parseByteSize', () => {
  it('reads plain bytes and binary units in any case', () => {
    expect(parseByteSize('1048576')).toBe(1048576);
    expect(parseByteSize('10mb')).toBe(10 * 1024 * 1024);
    expect(parseByteSize('10MB')).toBe(10 * 1024 * 1024);
    expect(parseByteSize('512k')).toBe(512 * 1024);
    expect(parseByteSize('1.5gb')).toBe(1.5 * 1024 ** 3);
    expect(parseByteSize('0')).toBe(0);
  });

  it('refuses what is not a size, saying what is accepted', () => {
    for (const text of ['', 'ten', '10 parsecs', '-5mb', '1e3', 'mb']) {
      expect(() => parseByteSize(text)).toThrow(/not a size/);
    }
  });
});

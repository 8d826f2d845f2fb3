import { describe, expect, it } from 'vitest';
import { countWords, firstDeltas, splitIntoDeltas } from './mock-wire.js';

const TEXTS = ['', '   ', 'one', ' two  words ', 'tabs\tand\nnew\r\nlines', 'no\u00a0break\u2003em\u3000ideographic\ufeffbom', 'trailing space ', `${'word '.repeat(1000)}end`];

describe('mock word counting', () => {
  it('counts words as trim().split(/\\s+/) does, without splitting', () => {
    for (const text of TEXTS) expect(countWords(text), JSON.stringify(text)).toBe(text.trim() === '' ? 0 : text.trim().split(/\s+/).length);
  });

  it('takes the first deltas as splitIntoDeltas cuts them, and says whether more follow', () => {
    for (const text of TEXTS.filter((item) => item !== '')) {
      const all = splitIntoDeltas(text);
      for (const count of [0, 1, 3, all.length, all.length + 1]) {
        expect(firstDeltas(text, count)).toEqual({ deltas: all.slice(0, count), more: all.length > count });
      }
    }
  });
});

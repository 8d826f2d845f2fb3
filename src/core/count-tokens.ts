import { setImmediate as nextLoopTurn } from 'node:timers/promises';

/** A tokenizer's count function. */
export type TokenCounter = (text: string) => number;

let counter: Promise<TokenCounter> | undefined;

/**
 * Longest run of non-space characters handed to the tokenizer in one piece.
 * BPE merging is quadratic in the length of one pre-token (a 40 kB "word"
 * took a second), so longer runs are counted in slices of this size; the
 * count of such a run can differ from the exact one by a token per slice.
 */
export const MAX_TOKENIZED_RUN = 256;

/** How much text is counted between two yields to the event loop in `countTokens`. */
const SEGMENT_LENGTH = 32 * 1024;

const LONG_RUN = new RegExp(`\\S{${MAX_TOKENIZED_RUN + 1},}`, 'g');

/**
 * Counts `text` with `count`, linear in its length: runs of non-space
 * characters longer than MAX_TOKENIZED_RUN are counted slice by slice.
 */
export function countTokensLinear(count: TokenCounter, text: string): number {
  if (text.length <= MAX_TOKENIZED_RUN) return count(text);
  let total = 0;
  let from = 0;
  LONG_RUN.lastIndex = 0;
  for (let match = LONG_RUN.exec(text); match !== null; match = LONG_RUN.exec(text)) {
    if (match.index > from) total += count(text.slice(from, match.index));
    for (let offset = 0; offset < match[0].length; offset += MAX_TOKENIZED_RUN) {
      total += count(match[0].slice(offset, offset + MAX_TOKENIZED_RUN));
    }
    from = match.index + match[0].length;
  }
  if (from < text.length) total += count(text.slice(from));
  return total;
}

/**
 * Counts tokens with the o200k_base encoding (GPT-4o and later), loading the
 * tokenizer's tables on first use so that start-up does not pay for them.
 * Linear in the text (see countTokensLinear), and it yields to the event
 * loop every 32 KiB so a long text does not hold up other requests.
 */
export async function countTokens(text: string): Promise<number> {
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then((module) => module.countTokens as TokenCounter);
  const count = await counter;
  if (text.length <= SEGMENT_LENGTH) return countTokensLinear(count, text);
  let total = 0;
  for (let from = 0; from < text.length; ) {
    // Cut at a space where there is one near the segment's end, so words stay whole.
    let to = Math.min(text.length, from + SEGMENT_LENGTH);
    if (to < text.length) {
      const space = text.lastIndexOf(' ', to);
      if (space > from + SEGMENT_LENGTH / 2) to = space;
    }
    total += countTokensLinear(count, text.slice(from, to));
    from = to;
    if (from < text.length) await nextLoopTurn();
  }
  return total;
}

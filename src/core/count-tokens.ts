import { createRequire } from 'node:module';
import { nextLoopTurn } from './loop-turns.js';

/** A tokenizer's count function. */
export type TokenCounter = (text: string) => number;

let counter: Promise<TokenCounter> | undefined;

/**
 * Longest run of non-space (or of space) characters handed to the tokenizer
 * in one piece. BPE merging is quadratic in the length of one pre-token (a
 * 40 kB "word" took a second), so longer runs are counted in slices; the
 * count of such a run can differ from the exact one by a token per slice.
 */
export const MAX_TOKENIZED_RUN = 256;

/** How much text is counted between two yields to the event loop in `countTokens`. */
const SEGMENT_LENGTH = 32 * 1024;

/** True for the characters that end a run: ASCII spaces and controls, no-break and Unicode spaces. */
function isSpace(code: number): boolean {
  return code <= 0x20 || code === 0xa0 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x3000;
}

/**
 * Counts `text` with `count`, linear in its length: a run of non-space
 * characters, or of spaces and newlines (`\s+` is one pre-token too), longer
 * than MAX_TOKENIZED_RUN is counted slice by slice.
 */
export function countTokensLinear(count: TokenCounter, text: string): number {
  if (text.length <= MAX_TOKENIZED_RUN) return count(text);
  let total = 0;
  let from = 0; // start of the text not yet counted
  let runStart = 0;
  let runIsSpace = isSpace(text.charCodeAt(0));
  for (let index = 0; index < text.length; index++) {
    const space = isSpace(text.charCodeAt(index));
    if (space !== runIsSpace) {
      runIsSpace = space;
      runStart = index;
    }
    // A run that reaches the slice length is cut there: the text before it, then the slice, are counted.
    if (index + 1 - runStart === MAX_TOKENIZED_RUN) {
      if (runStart > from) total += count(text.slice(from, runStart));
      total += count(text.slice(runStart, index + 1));
      from = index + 1;
      runStart = index + 1;
    }
  }
  if (from < text.length) total += count(text.slice(from));
  return total;
}

let loaded: TokenCounter | undefined;

/**
 * The o200k_base counter, its tables loaded on first call. Every count in
 * the project (the mock's, the estimates', `countTokens`) goes through this
 * one instance: the package's ESM and CommonJS builds would otherwise load
 * the tables twice (about 70 MB each), and a preload of one would not spare
 * the other's first user the load.
 */
export function tokenCounter(): TokenCounter {
  if (loaded === undefined) {
    const { countTokens } = createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as { countTokens: (text: string, options?: object) => number };
    // The text of a special token ("<|endoftext|>") in a prompt is ordinary text, as the APIs read a message; the
    // tokenizer's default refuses it (it threw, and the mock answered 500). The option costs a little, so only when needed.
    loaded = (text) => (text.includes('<|') ? countTokens(text, ORDINARY_TEXT) : countTokens(text));
  }
  return loaded;
}

/** Encode options that read every special token's text as ordinary text. */
const ORDINARY_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * Loads the tokenizer's tables now. Loading compiles a large module on the
 * main thread (a few hundred milliseconds); a server calls this before it
 * listens so that no request's first token count pays for it.
 */
export function loadTokenizer(): Promise<TokenCounter> {
  counter ??= Promise.resolve().then(tokenCounter);
  return counter;
}

/**
 * Counts tokens with the o200k_base encoding (GPT-4o and later), loading the
 * tokenizer's tables on first use so that start-up does not pay for them.
 * Linear in the text (see countTokensLinear), and it yields to the event
 * loop every 32 KiB so a long text does not hold up other requests.
 */
export async function countTokens(text: string): Promise<number> {
  const count = await loadTokenizer();
  if (text.length <= SEGMENT_LENGTH) return countTokensLinear(count, text);
  let total = 0;
  for (let from = 0; from < text.length; ) {
    // Cut at a space where there is one near the segment's end, so words stay whole.
    let to = Math.min(text.length, from + SEGMENT_LENGTH);
    if (to < text.length) {
      // Searched in the segment's second half only: lastIndexOf on the whole text would rescan it back to the start.
      const half = from + SEGMENT_LENGTH / 2;
      const space = text.slice(half, to).lastIndexOf(' ');
      if (space > 0) to = half + space;
    }
    total += countTokensLinear(count, text.slice(from, to));
    from = to;
    if (from < text.length) await nextLoopTurn();
  }
  return total;
}

import { describe, expect, it } from 'vitest';
import { countTokens, countTokensLinear, MAX_TOKENIZED_RUN, tokenCounter } from './count-tokens.js';

/** A counter that records what the tokenizer would be handed, and counts characters. */
function recordingCounter(): { count: (text: string) => number; pieces: string[] } {
  const pieces: string[] = [];
  return { pieces, count: (text) => (pieces.push(text), text.length) };
}

/** The longest run of one kind (spaces, or anything else) in a text. */
function longestRun(text: string): number {
  let longest = 0;
  for (const match of text.matchAll(/\s+|\S+/g)) longest = Math.max(longest, match[0].length);
  return longest;
}

describe('countTokensLinear', () => {
  it.each([
    ['a 1 MB word', 'w'.repeat(1024 * 1024)],
    ['a 1 MB run of newlines', '\n'.repeat(1024 * 1024)],
    ['words and one long word', `${'lorem ipsum '.repeat(100)}${'x'.repeat(5000)} end`],
    ['emoji', '🤖'.repeat(10_000)],
  ])('never hands the tokenizer a run longer than MAX_TOKENIZED_RUN: %s', (_label, text) => {
    const { count, pieces } = recordingCounter();
    expect(countTokensLinear(count, text)).toBe(text.length); // every character counted once
    expect(pieces.join('')).toBe(text);
    expect(Math.max(...pieces.map(longestRun))).toBeLessThanOrEqual(MAX_TOKENIZED_RUN);
  });

  it('counts ordinary text exactly as the tokenizer does', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(50);
    const { countTokens: exact } = await import('gpt-tokenizer/encoding/o200k_base');
    expect(countTokensLinear(exact, text)).toBe(exact(text));
    expect(await countTokens(text)).toBe(exact(text));
  });

  it('reads the text of a special token as ordinary text, as the APIs read a message', async () => {
    const { encode } = await import('gpt-tokenizer/encoding/o200k_base');
    const text = 'hello <|endoftext|> there <|im_start|>';
    expect(() => encode(text)).toThrow(/special token/); // the tokenizer's own default
    const ordinary = encode(text, { disallowedSpecial: new Set() }).length;
    expect(ordinary).toBeGreaterThan(4); // each marker is several ordinary tokens, not one special one
    expect(await countTokens(text)).toBe(ordinary);
    expect(countTokensLinear(tokenCounter(), text)).toBe(ordinary);
  });

  it('counts a 1 MB single word (the tokenizer alone is quadratic on it)', async () => {
    const tokens = await countTokens('q'.repeat(1024 * 1024));
    expect(tokens).toBeGreaterThan(1024 * 1024 / MAX_TOKENIZED_RUN);
  });
});

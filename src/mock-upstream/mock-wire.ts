import { createSeededRandom, hashString } from './mock-http.js';

/*
 * Wire-neutral payload helpers of the fake provider servers: message text,
 * delta splitting, deterministic embeddings. Each flavor's `-wire.ts` file
 * wraps them in its own exact format.
 */

/** Bytes per delta when a stream is padded to `hugeStreamBytes`. */
const HUGE_DELTA_SIZE = 16 * 1024;
const HUGE_BLOCK = 'abcdefghijklmnopqrstuvwxyz012345'.repeat(HUGE_DELTA_SIZE / 32);

/** The text of a message's content (a string, or parts with `text`). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
    .join('');
}

/** Splits text into word-sized pieces (each keeps its trailing space), like a model's deltas. */
export function splitIntoDeltas(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

/** Whether a UTF-16 code unit is white space as `\s` matches it. */
function isSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

/**
 * The number of words of a text (runs of non-space), as
 * `text.trim().split(/\s+/)` would count them for a non-blank text: the
 * mocks' token count. One pass, nothing allocated, so a 1 MB prompt costs
 * about a millisecond.
 */
export function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (let index = 0; index < text.length; index += 1) {
    const space = isSpace(text.charCodeAt(index));
    if (!space && !inWord) words += 1;
    inWord = !space;
  }
  return words;
}

/** The first `count` deltas of a text (as {@link splitIntoDeltas} cuts it), and whether more follow. */
export function firstDeltas(text: string, count: number): { deltas: string[]; more: boolean } {
  const pattern = /\S+\s*|\s+/g;
  const deltas: string[] = [];
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (deltas.length === count) return { deltas, more: true };
    deltas.push(match[0]);
  }
  return { deltas, more: false };
}

/**
 * The text deltas of a streamed reply: `hugeBytes` bytes of filler in 16 KiB
 * pieces when set above 0 (memory and backpressure tests), else the words of
 * `text`. Lazy, so a huge stream is produced as the client reads it.
 */
export function* streamTextPieces(text: string, hugeBytes: number | undefined): Generator<string> {
  if (hugeBytes !== undefined && hugeBytes > 0) {
    for (let sent = 0; sent < hugeBytes; sent += HUGE_DELTA_SIZE) yield HUGE_BLOCK.slice(0, Math.min(HUGE_DELTA_SIZE, hugeBytes - sent));
    return;
  }
  yield* splitIntoDeltas(text);
}

/** Cuts `text` into pieces of `size` characters (the last may be shorter); none for an empty text. */
export function sliceEvery(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

/** A deterministic unit vector for `text`. */
export function embeddingFor(text: string, dimensions: number): number[] {
  const random = createSeededRandom(hashString(text));
  const raw = Array.from({ length: dimensions }, () => random() * 2 - 1);
  const norm = Math.sqrt(raw.reduce((sum, value) => sum + value * value, 0)) || 1;
  return raw.map((value) => Math.round((value / norm) * 1e6) / 1e6);
}

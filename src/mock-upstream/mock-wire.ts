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

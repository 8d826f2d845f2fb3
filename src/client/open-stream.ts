import type { StreamPart } from '../spec/stream.js';

/** A stream whose first part has been read: connection and status errors have surfaced already. */
export interface OpenedStream {
  first: IteratorResult<StreamPart>;
  iterator: AsyncIterator<StreamPart>;
}

/**
 * Starts a driver stream and reads its first part, so that failures before
 * any output are thrown here, where retry and fallback can still act.
 */
export async function openStream(source: AsyncIterable<StreamPart>): Promise<OpenedStream> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  return { first, iterator };
}

/** Yields an opened stream's parts; leaving early (`break`, a throw) returns the driver's iterator so it releases the upstream. */
export async function* drainOpenedStream(opened: OpenedStream): AsyncGenerator<StreamPart> {
  let done = opened.first.done ?? false;
  try {
    if (!done) yield opened.first.value as StreamPart;
    while (!done) {
      const next = await opened.iterator.next();
      done = next.done ?? false;
      if (!done) yield next.value;
    }
  } finally {
    if (!done) await opened.iterator.return?.();
  }
}

import { SwitchyardError } from '../spec/errors.js';
import type { StreamPart } from '../spec/stream.js';

/** An opened upstream stream, as the pipeline hands it over. */
export interface PartSource {
  /** The next raw part (the driver iterator's own promise: no extra async step). */
  next(): Promise<IteratorResult<StreamPart>>;
  /** Processes each pulled part once for every reader (tracking, cache capture); a promise holds the part back until it settles. */
  accept(part: StreamPart): StreamPart | Promise<StreamPart>;
  /** Called once when the source ends or fails. */
  end(error?: unknown): void;
  /** Releases the upstream; called once, when the last reader leaves before the end. */
  release(): Promise<void>;
}

/** What each reader does with the parts it reads, without an extra async step. */
export interface ReaderHooks {
  /** Turns a shared part into this reader's part (the finish part gets its own latency and cost). */
  transform?(part: StreamPart): StreamPart;
  /** Called once when the reader ends: normally (no error), by leaving early, or with the error it throws. */
  settle?(error?: unknown): void;
}

/** One reader of a shared stream; `return()` leaves it (the others carry on). */
export type PartReader = AsyncIterableIterator<StreamPart>;

/**
 * One upstream stream read by one or more callers. Every reader starts at
 * the first part: a late joiner gets what was already sent, then the live
 * tail. Parts are pulled from the source only when the fastest reader needs
 * one, so the upstream is paced by its readers. A reader leaving (`return()`
 * or its signal) never fails the others; the source is released when the
 * last reader leaves. While `joinable`, every part is kept for joiners; once
 * the parts pass `maxChars` characters (or the stream ends) no one can join
 * any more, and parts every reader has passed are dropped.
 */
export interface SharedStream {
  readonly joinable: boolean;
  /** A new reader, or undefined when the stream no longer takes readers. */
  read(signal: AbortSignal | undefined, hooks: ReaderHooks): PartReader | undefined;
}

/** Options of `createSharedStream`. */
export interface SharedStreamOptions {
  /** Stop taking joiners once the kept parts pass this many characters. Default 0: never joinable (one reader). */
  maxChars?: number;
  /** Called once when the stream stops taking joiners (to remove it from a registry). */
  onClosed?(): void;
}

const TRIM_EVERY = 32;

function abortedError(signal: AbortSignal): SwitchyardError {
  return new SwitchyardError({ code: 'aborted', message: 'the request was aborted', cause: signal.reason });
}

function sizeOf(part: StreamPart): number {
  if (part.type === 'text-delta') return part.text.length;
  if (part.type === 'tool-call-delta') return part.argumentsDelta.length + 16;
  return 16;
}

/** Creates a shared stream over an opened source. */
export function createSharedStream(source: PartSource, options: SharedStreamOptions = {}): SharedStream {
  const maxChars = options.maxChars ?? 0;
  const parts: StreamPart[] = [];
  /** The index (from the stream's start) of `parts[0]`. */
  let base = 0;
  let keptChars = 0;
  let ended = false;
  let failure: unknown;
  let failed = false;
  let pulling: Promise<void> | undefined;
  let joinable = maxChars > 0;
  let released = false;
  let readers = 0;
  const positions = new Set<{ index: number }>();
  let sinceTrim = 0;

  function close(): void {
    if (!joinable) return;
    joinable = false;
    options.onClosed?.();
  }

  function fail(error: unknown): void {
    pulling = undefined;
    ended = true;
    failed = true;
    failure = error;
    close();
    source.end(error);
  }

  function keep(part: StreamPart): void {
    pulling = undefined;
    parts.push(part);
    if (joinable) {
      keptChars += sizeOf(part);
      if (keptChars > maxChars) close();
    }
  }

  function pull(): Promise<void> {
    pulling ??= source.next().then((step) => {
      if (step.done) {
        pulling = undefined;
        ended = true;
        close();
        source.end();
        return;
      }
      let accepted: StreamPart | Promise<StreamPart>;
      try {
        accepted = source.accept(step.value);
      } catch (error) {
        fail(error);
        return;
      }
      if (accepted instanceof Promise) return accepted.then(keep, fail);
      keep(accepted);
    }, fail);
    return pulling;
  }

  /** Drops parts that every reader has passed, once no one can join. */
  function trim(): void {
    if (joinable || ++sinceTrim < TRIM_EVERY) return;
    sinceTrim = 0;
    let lowest = base + parts.length;
    for (const position of positions) lowest = Math.min(lowest, position.index);
    if (lowest > base) {
      parts.splice(0, lowest - base);
      base = lowest;
    }
  }

  function leave(position: { index: number }): void {
    if (!positions.delete(position)) return;
    readers -= 1;
    if (readers > 0) return;
    close();
    parts.length = 0;
    if (!released && !ended) {
      released = true;
      void source.release().catch(() => undefined);
    }
  }

  return {
    get joinable() {
      return joinable;
    },
    read(signal, hooks) {
      if (released || (readers > 0 && !joinable)) return undefined;
      if (base > 0) return undefined; // the start is gone: a late reader could not get the whole answer
      const position = { index: 0 };
      positions.add(position);
      readers += 1;
      let settled = false;
      // One listener per reader (not per part): aborting wakes a reader waiting for the next part.
      let wake: (() => void) | undefined;
      const onAbort = (): void => wake?.();
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        leave(position);
        hooks.settle?.(error);
      };
      const waitForPart = (): Promise<void> =>
        signal === undefined
          ? pull()
          : new Promise<void>((resolve) => {
              wake = resolve;
              void pull().then(resolve);
            });
      const finish = (): IteratorResult<StreamPart> => {
        settle();
        return { done: true, value: undefined };
      };

      async function next(): Promise<IteratorResult<StreamPart>> {
        if (settled) return { done: true, value: undefined };
        for (;;) {
          if (signal?.aborted) {
            const error = abortedError(signal);
            settle(error);
            throw error;
          }
          if (position.index < base + parts.length) {
            const part = parts[position.index - base];
            position.index += 1;
            trim();
            return { done: false, value: hooks.transform ? hooks.transform(part) : part };
          }
          if (ended) {
            if (!failed) return finish();
            settle(failure);
            throw failure;
          }
          await waitForPart();
        }
      }

      const reader: PartReader = {
        next,
        async return() {
          return finish();
        },
        [Symbol.asyncIterator]() {
          return reader;
        },
      };
      return reader;
    },
  };
}

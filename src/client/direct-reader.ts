import { SwitchyardError } from '../spec/errors.js';
import type { StreamPart } from '../spec/stream.js';
import type { PartReader, PartSource, ReaderHooks } from './shared-streams.js';

/**
 * The reader of a stream no one else reads (no single flight, so nothing to
 * share): each `next()` pulls the source's next part, accepts and transforms
 * it, one async step per part with no buffer. Same contract as a shared
 * stream's reader: the source ends once (`end`), a reader leaving early
 * releases it, `settle` runs once. An abort of `signal` surfaces through the
 * source (the driver's request follows the same signal) or at the next pull.
 */
export function readDirectly(source: PartSource, signal: AbortSignal | undefined, hooks: ReaderHooks): PartReader {
  let settled = false;
  let ended = false;
  const settle = (error?: unknown): void => {
    if (settled) return;
    settled = true;
    hooks.settle?.(error);
  };
  const fail = (error: unknown): never => {
    if (!ended) {
      ended = true;
      source.end(error);
    }
    settle(error);
    throw error;
  };

  async function next(): Promise<IteratorResult<StreamPart>> {
    if (settled) return { done: true, value: undefined };
    if (signal?.aborted) {
      await leave();
      return fail(new SwitchyardError({ code: 'aborted', message: 'the request was aborted', cause: signal.reason }));
    }
    let step: IteratorResult<StreamPart>;
    let part: StreamPart;
    try {
      step = await source.next();
      if (step.done) {
        ended = true;
        source.end();
        settle();
        return step;
      }
      const accepted = source.accept(step.value);
      part = accepted instanceof Promise ? await accepted : accepted;
    } catch (error) {
      return fail(error);
    }
    return { done: false, value: hooks.transform ? hooks.transform(part) : part };
  }

  /** Leaves before the end: the upstream is released. */
  async function leave(): Promise<void> {
    if (ended) return;
    ended = true;
    await source.release().catch(() => undefined);
  }

  const reader: PartReader = {
    next,
    async return() {
      if (!settled) {
        settle();
        await leave();
      }
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return reader;
    },
  };
  return reader;
}

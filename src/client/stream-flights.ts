import { SwitchyardError } from '../spec/errors.js';
import type { Next, PipelineCall } from './pipeline.js';
import { withSignal } from './pipeline.js';
import { createSharedStream, type ReaderHooks, type SharedStream } from './shared-streams.js';
import type { StreamAnswer } from './stream.js';

/** Identical streams in flight in one process, by cache key. */
export type StreamFlights = Map<string, StreamFlight>;

/** One upstream stream being opened or read, shared by identical callers. */
interface StreamFlight {
  /** The upstream runs under this signal: aborted when every caller has gone. */
  controller: AbortController;
  /** Callers waiting for the stream to open. */
  waiting: number;
  opened: Promise<{ answer: StreamAnswer; shared: SharedStream }>;
}

/** Creates an empty registry. */
export function createStreamFlights(): StreamFlights {
  return new Map();
}

function abortedError(signal: AbortSignal): SwitchyardError {
  return new SwitchyardError({ code: 'aborted', message: 'the request was aborted', cause: signal.reason });
}

function startFlight(call: PipelineCall, key: string, next: Next<StreamAnswer>): StreamFlight {
  const flights = call.context.streamFlights;
  const controller = new AbortController();
  const flight: StreamFlight = { controller, waiting: 0, opened: Promise.resolve() as never };
  const forget = (): void => {
    if (flights.get(key) === flight) flights.delete(key);
  };
  flight.opened = next(withSignal(call, controller.signal)).then(
    (answer) => {
      const release = answer.source.release;
      // The last reader leaving aborts the flight's signal first, so a read waiting on the upstream ends at once.
      answer.source.release = () => {
        controller.abort();
        return release();
      };
      // Joiners are taken while the kept parts fit in a cache entry: beyond that, the answer could not be cached anyway.
      return { answer, shared: createSharedStream(answer.source, { maxChars: call.context.config.cache.maxEntryBytes, onClosed: forget }) };
    },
    (error: unknown) => {
      forget();
      throw error;
    },
  );
  flights.set(key, flight);
  return flight;
}

/** Waits for the flight to open; a caller whose signal aborts stops waiting, and the last to leave aborts the opening. */
function waitOpened(flight: StreamFlight, signal: AbortSignal | undefined): Promise<{ answer: StreamAnswer; shared: SharedStream }> {
  flight.waiting += 1;
  if (!signal) {
    return flight.opened.finally(() => {
      flight.waiting -= 1;
    });
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      flight.waiting -= 1;
      if (flight.waiting === 0) flight.controller.abort(signal.reason);
      reject(abortedError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    flight.opened.then(
      (opened) => {
        signal.removeEventListener('abort', onAbort);
        flight.waiting -= 1;
        resolve(opened);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        flight.waiting -= 1;
        reject(error);
      },
    );
  });
}

/**
 * Single flight for streams: identical concurrent streams share one upstream
 * stream. The first caller opens it; callers arriving while it opens, or
 * while it is still joinable, read it from its first part (what was already
 * sent, then the live tail). One caller leaving never fails the others; the
 * upstream is released when the last one leaves.
 */
export async function joinStreamFlight(
  call: PipelineCall,
  key: string,
  next: Next<StreamAnswer>,
  hooksFor: (answer: StreamAnswer, leader: boolean) => ReaderHooks,
): Promise<StreamAnswer> {
  const signal = call.request.signal;
  if (signal?.aborted) throw abortedError(signal);
  for (;;) {
    const existing = call.context.streamFlights.get(key);
    const leader = existing === undefined;
    const flight = existing ?? startFlight(call, key, next);
    const { answer, shared } = await waitOpened(flight, signal);
    const reader = shared.read(signal, hooksFor(answer, leader));
    if (reader) return { ...answer, reader };
    // The stream stopped taking readers between opening and this read: start (or join) another.
  }
}

import { SwitchyardError } from '../spec/errors.js';

/** What a caller of `join` gets: the shared value, and whether this caller started the flight. */
export interface Joined<T> {
  value: T;
  leader: boolean;
}

/**
 * Identical concurrent calls in one process, sharing one piece of work. The
 * work runs under its own signal, aborted only when every caller waiting on it
 * has aborted: one caller going away (a gateway client hanging up) never fails
 * the others, and a caller's abort still ends its own wait at once.
 */
export interface SharedFlights {
  join<T>(key: string, signal: AbortSignal | undefined, start: (signal: AbortSignal) => Promise<T>): Promise<Joined<T>>;
}

interface Flight {
  promise: Promise<unknown>;
  controller: AbortController;
  waiters: number;
}

function abortedError(signal: AbortSignal): SwitchyardError {
  return new SwitchyardError({ code: 'aborted', message: 'the request was aborted', cause: signal.reason });
}

/** Creates an empty set of flights. */
export function createSharedFlights(): SharedFlights {
  const flights = new Map<string, Flight>();
  return {
    join<T>(key: string, signal: AbortSignal | undefined, start: (signal: AbortSignal) => Promise<T>): Promise<Joined<T>> {
      if (signal?.aborted) return Promise.reject(abortedError(signal));
      let flight = flights.get(key);
      const leader = flight === undefined;
      if (flight === undefined) {
        const controller = new AbortController();
        const created: Flight = { controller, waiters: 0, promise: Promise.resolve() };
        created.promise = start(controller.signal).finally(() => {
          if (flights.get(key) === created) flights.delete(key);
        });
        flights.set(key, created);
        flight = created;
      }
      const current = flight;
      current.waiters += 1;
      const shared = current.promise.then((value) => ({ value: value as T, leader }));
      if (!signal) return shared;
      return new Promise<Joined<T>>((resolve, reject) => {
        const onAbort = () => {
          current.waiters -= 1;
          if (current.waiters === 0) current.controller.abort(signal.reason);
          reject(abortedError(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        shared.then(
          (joined) => {
            signal.removeEventListener('abort', onAbort);
            resolve(joined);
          },
          (error: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(error);
          },
        );
      });
    },
  };
}

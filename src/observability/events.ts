import { SwitchyardError, type CacheLayerName, type CacheStatus, type ErrorCode, type FinishReason, type Usage } from '../spec/index.js';

/** What a cache access did: found an entry, found none, stored or removed one, or failed. */
export type CacheOutcome = 'hit' | 'miss' | 'write' | 'delete' | 'error';

/** The kind of cache access. */
export type CacheOperation = 'get' | 'set' | 'delete' | 'clear' | 'prune';

/** The client operation a request stands for. */
export type RequestOperation = 'chat' | 'stream' | 'embed' | 'models';

/** A monitored resource limit (see resource-monitor.ts). */
export type ThresholdName = 'heapMb' | 'rssMb' | 'slowRequestMs' | 'providerCallsPerMinute';

/** Emitted when a client request starts, before any cache lookup or upstream call. */
export interface RequestEvent {
  requestId: string;
  operation: RequestOperation;
  /** The requested model as given (`provider/model`, bare name or route). */
  model: string;
  /** The provider, once resolved. */
  provider?: string;
  tenant?: string;
  /** Epoch milliseconds. */
  timestamp: number;
}

/** Emitted when a client request succeeds (for a stream: after its `finish` part). */
export interface ResponseEvent {
  requestId: string;
  operation: RequestOperation;
  /** The provider that answered. */
  provider: string;
  /** The model that answered, `provider/model`. */
  model: string;
  durationMs: number;
  /** Time spent in upstream calls, summed over attempts. */
  upstreamMs: number;
  /** `durationMs - upstreamMs`: the time Switchyard itself added. */
  overheadMs: number;
  /** Streams only: time from request start to the first generated part. */
  timeToFirstTokenMs?: number;
  usage: Usage;
  /** US dollars; 0 on a cache hit; null when the price is unknown. */
  cost: number | null;
  cache: CacheStatus;
  finishReason?: FinishReason;
  timestamp: number;
}

/** Emitted when a client request fails for good (after retries and fallbacks). */
export interface ErrorEvent {
  requestId: string;
  operation: RequestOperation;
  provider?: string;
  model?: string;
  durationMs: number;
  code: ErrorCode;
  /** The error message, unredacted: events stay in-process with the host. */
  message: string;
  /** The upstream (or gateway) HTTP status, when there was one. */
  status?: number;
  retryable: boolean;
  timestamp: number;
}

/** Emitted after each response-cache access. */
export interface CacheEvent {
  requestId?: string;
  layer: CacheLayerName;
  operation: CacheOperation;
  outcome: CacheOutcome;
  durationMs: number;
  /** The error code when `outcome` is `error`. */
  code?: ErrorCode;
  timestamp: number;
}

/** Emitted before an upstream call is retried. */
export interface RetryEvent {
  requestId: string;
  provider: string;
  model: string;
  /** The attempt about to be made: 2 for the first retry. */
  attempt: number;
  /** The wait before that attempt. */
  delayMs: number;
  /** Why the previous attempt failed. */
  code: ErrorCode;
  timestamp: number;
}

/** Emitted when a route moves on from one model to the next. */
export interface FallbackEvent {
  requestId: string;
  /** The route name, when the request named one. */
  route?: string;
  /** `provider/model` that failed. */
  from: string;
  /** `provider/model` tried next. */
  to: string;
  code: ErrorCode;
  timestamp: number;
}

/** Emitted when a resource threshold is crossed; at most once per threshold per monitor window. */
export interface ThresholdEvent {
  name: ThresholdName;
  /** The observed value, in the threshold's unit (MB, ms or calls per minute). */
  value: number;
  limit: number;
  /** The request that crossed it, for `slowRequestMs`. */
  requestId?: string;
  /** Further crossings of this threshold in the previous window that were not reported one by one. */
  suppressed: number;
  timestamp: number;
}

/** Every event name with its payload: the one source of the emitter's types. */
export interface SwitchyardEventMap {
  request: RequestEvent;
  response: ResponseEvent;
  error: ErrorEvent;
  cache: CacheEvent;
  retry: RetryEvent;
  fallback: FallbackEvent;
  threshold: ThresholdEvent;
}

/** An event name. */
export type SwitchyardEventName = keyof SwitchyardEventMap;

/** A listener for event `E`: receives that event's payload only. */
export type SwitchyardListener<E extends SwitchyardEventName> = (payload: SwitchyardEventMap[E]) => void;

/** The subscribe side of the emitter: what the client hands to users as `ai.on/off/once`. */
export interface SwitchyardEventSource {
  /** Adds a listener; returns a function that removes it. */
  on<E extends SwitchyardEventName>(event: E, listener: SwitchyardListener<E>): () => void;
  /** Removes a listener added with `on` or `once`; unknown listeners are ignored. */
  off<E extends SwitchyardEventName>(event: E, listener: SwitchyardListener<E>): void;
  /** Adds a listener called at most once; returns a function that removes it. */
  once<E extends SwitchyardEventName>(event: E, listener: SwitchyardListener<E>): () => void;
}

/** The full emitter: subscribe plus `emit` and cheap listener checks for the hot path. */
export interface SwitchyardEvents extends SwitchyardEventSource {
  /** Calls every listener of `event` synchronously; a throwing listener is reported, never propagated. */
  emit<E extends SwitchyardEventName>(event: E, payload: SwitchyardEventMap[E]): void;
  /** True when `event` has a listener: check it before building a payload. */
  has(event: SwitchyardEventName): boolean;
  listenerCount(event: SwitchyardEventName): number;
  /** Removes every listener of `event`, or of all events. */
  removeAll(event?: SwitchyardEventName): void;
}

/** Options of `createEvents`. */
export interface EventsOptions {
  /** Called when a listener throws. Default: `process.emitWarning`. */
  onListenerError?: (error: unknown, event: SwitchyardEventName) => void;
}

interface Entry {
  listener: (payload: never) => void;
  once: boolean;
}

/**
 * Creates the typed event emitter. Listener lists are copy-on-write arrays,
 * so emitting while a listener adds or removes another is safe, and `has()`
 * is one property read.
 */
export function createEvents(options: EventsOptions = {}): SwitchyardEvents {
  const listeners: { [E in SwitchyardEventName]?: Entry[] } = {};
  const onListenerError =
    options.onListenerError ??
    ((error: unknown, event: SwitchyardEventName) => {
      const detail = error instanceof Error ? error.message : String(error);
      process.emitWarning(`Switchyard "${event}" listener threw: ${detail}`, 'SwitchyardListenerWarning');
    });

  function add(event: SwitchyardEventName, listener: (payload: never) => void, once: boolean): () => void {
    if (typeof listener !== 'function') {
      throw new SwitchyardError({ code: 'invalid_request', message: `Listener for "${event}" must be a function`, param: 'listener' });
    }
    const entry: Entry = { listener, once };
    listeners[event] = [...(listeners[event] ?? []), entry];
    return () => removeEntry(event, (candidate) => candidate === entry);
  }

  function removeEntry(event: SwitchyardEventName, match: (entry: Entry) => boolean): void {
    const current = listeners[event];
    if (current === undefined) return;
    const index = current.findIndex(match);
    if (index === -1) return;
    const next = current.slice(0, index).concat(current.slice(index + 1));
    if (next.length === 0) delete listeners[event];
    else listeners[event] = next;
  }

  return {
    on(event, listener) {
      return add(event, listener, false);
    },
    once(event, listener) {
      return add(event, listener, true);
    },
    off(event, listener) {
      removeEntry(event, (entry) => entry.listener === listener);
    },
    emit(event, payload) {
      const current = listeners[event];
      if (current === undefined) return;
      for (const entry of current) {
        if (entry.once) removeEntry(event, (candidate) => candidate === entry);
        try {
          (entry.listener as (value: typeof payload) => void)(payload);
        } catch (error) {
          onListenerError(error, event);
        }
      }
    },
    has(event) {
      return listeners[event] !== undefined;
    },
    listenerCount(event) {
      return listeners[event]?.length ?? 0;
    },
    removeAll(event) {
      if (event === undefined) {
        for (const name of Object.keys(listeners) as SwitchyardEventName[]) delete listeners[name];
      } else {
        delete listeners[event];
      }
    },
  };
}

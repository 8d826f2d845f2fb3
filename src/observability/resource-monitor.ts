import { SwitchyardError } from '../spec/index.js';
import type { SwitchyardEvents, ThresholdName } from './events.js';
import type { SwitchyardLogger } from './logger.js';
import type { SwitchyardMetrics } from './metrics.js';
import type { ObservabilityProfile } from './profile.js';

/** Resource limits; crossing one logs a warning, emits `threshold` and counts a metric. */
export interface ResourceThresholds {
  /** V8 heap in use, MB. */
  heapMb: number;
  /** Resident set size, MB. */
  rssMb: number;
  /** A client request slower than this, ms. Default 5000. */
  slowRequestMs: number;
  /** Upstream provider calls in the last 60 seconds. */
  providerCallsPerMinute: number;
}

/** Default thresholds per profile. Development keeps a low call rate to catch runaway loops against paid APIs. */
export const DEFAULT_THRESHOLDS: Readonly<Record<ObservabilityProfile, Readonly<ResourceThresholds>>> = {
  production: { heapMb: 512, rssMb: 1024, slowRequestMs: 5000, providerCallsPerMinute: 1000 },
  development: { heapMb: 1024, rssMb: 2048, slowRequestMs: 5000, providerCallsPerMinute: 100 },
  test: { heapMb: 2048, rssMb: 4096, slowRequestMs: 5000, providerCallsPerMinute: 10_000 },
};

/** What one memory sample found. */
export interface ResourceSample {
  heapMb: number;
  rssMb: number;
  /** Upstream calls in the last 60 seconds. */
  providerCallsPerMinute: number;
  /** Thresholds above their limit in this sample. */
  exceeded: ThresholdName[];
}

/** Options of `createResourceMonitor`. Logger, events and metrics are optional sinks. */
export interface ResourceMonitorOptions {
  profile?: ObservabilityProfile;
  /** Overrides of the profile's thresholds. */
  thresholds?: Partial<ResourceThresholds>;
  logger?: SwitchyardLogger;
  events?: SwitchyardEvents;
  metrics?: SwitchyardMetrics;
  /** How often `start()` samples memory. Default 10,000 ms. */
  sampleIntervalMs?: number;
  /** One warning and one event per threshold per window. Default 60,000 ms. */
  windowMs?: number;
  /** Clock (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** Memory reader. Default `process.memoryUsage`. */
  memoryUsage?: () => { heapUsed: number; rss: number };
}

/** Watches memory, request latency and the upstream call rate against thresholds. */
export interface ResourceMonitor {
  readonly thresholds: Readonly<ResourceThresholds>;
  /** True between `start()` and `stop()`. */
  readonly running: boolean;
  /** Starts periodic memory sampling on an unref'd timer; idempotent; a no-op after `close()`. */
  start(): void;
  /** Stops sampling; idempotent. */
  stop(): void;
  /** Samples memory now and reports crossings. */
  sample(): ResourceSample;
  /** Checks one finished request's duration against `slowRequestMs`. */
  recordRequest(durationMs: number, requestId?: string): void;
  /** Counts one upstream call against `providerCallsPerMinute`. */
  recordProviderCall(): void;
  /** Stops for good: later `start()` calls do nothing. */
  close(): void;
}

const MEGABYTE = 1048576;
const RATE_WINDOW_SECONDS = 60;

/** Creates a resource monitor; no timer runs until `start()`. */
export function createResourceMonitor(options: ResourceMonitorOptions = {}): ResourceMonitor {
  const thresholds: ResourceThresholds = { ...DEFAULT_THRESHOLDS[options.profile ?? 'production'], ...definedOnly(options.thresholds) };
  for (const [name, value] of Object.entries(thresholds)) {
    if (typeof value !== 'number' || !(value > 0)) {
      throw new SwitchyardError({
        code: 'invalid_config',
        message: `Threshold ${name} must be a positive number, got ${String(value)}`,
        param: `thresholds.${name}`,
      });
    }
  }
  const sampleIntervalMs = options.sampleIntervalMs ?? 10_000;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const memoryUsage = options.memoryUsage ?? (() => process.memoryUsage());
  const reports = new Map<ThresholdName, { reportedAt: number; suppressed: number }>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  // Upstream calls per second over the last 60 seconds, with a running total.
  const buckets = new Uint32Array(RATE_WINDOW_SECONDS);
  let bucketSecond = Math.floor(now() / 1000);
  let callsInWindow = 0;

  function advance(second: number): void {
    const steps = Math.min(RATE_WINDOW_SECONDS, second - bucketSecond);
    for (let step = 1; step <= steps; step += 1) {
      const index = (bucketSecond + step) % RATE_WINDOW_SECONDS;
      callsInWindow -= buckets[index];
      buckets[index] = 0;
    }
    if (second > bucketSecond) bucketSecond = second;
  }

  function exceeded(name: ThresholdName, value: number, requestId?: string): void {
    options.metrics?.recordThresholdExceeded(name);
    const at = now();
    const previous = reports.get(name);
    if (previous !== undefined && at - previous.reportedAt < windowMs) {
      previous.suppressed += 1;
      return;
    }
    const suppressed = previous?.suppressed ?? 0;
    reports.set(name, { reportedAt: at, suppressed: 0 });
    const limit = thresholds[name];
    options.logger?.warn(
      { threshold: name, value: Math.round(value * 100) / 100, limit, requestId, suppressed },
      `Resource threshold crossed: ${name} ${Math.round(value)} > ${limit}`,
    );
    if (options.events?.has('threshold')) {
      options.events.emit('threshold', { name, value, limit, requestId, suppressed, timestamp: at });
    }
  }

  const monitor: ResourceMonitor = {
    thresholds,
    get running() {
      return timer !== undefined;
    },
    start() {
      if (timer !== undefined || closed) return;
      timer = setInterval(() => monitor.sample(), sampleIntervalMs);
      timer.unref();
    },
    stop() {
      if (timer === undefined) return;
      clearInterval(timer);
      timer = undefined;
    },
    sample() {
      const usage = memoryUsage();
      const heapMb = usage.heapUsed / MEGABYTE;
      const rssMb = usage.rss / MEGABYTE;
      advance(Math.floor(now() / 1000));
      const result: ResourceSample = { heapMb, rssMb, providerCallsPerMinute: callsInWindow, exceeded: [] };
      if (heapMb > thresholds.heapMb) {
        result.exceeded.push('heapMb');
        exceeded('heapMb', heapMb);
      }
      if (rssMb > thresholds.rssMb) {
        result.exceeded.push('rssMb');
        exceeded('rssMb', rssMb);
      }
      return result;
    },
    recordRequest(durationMs, requestId) {
      if (durationMs > thresholds.slowRequestMs) exceeded('slowRequestMs', durationMs, requestId);
    },
    recordProviderCall() {
      const second = Math.floor(now() / 1000);
      if (second !== bucketSecond) advance(second);
      buckets[second % RATE_WINDOW_SECONDS] += 1;
      callsInWindow += 1;
      if (callsInWindow > thresholds.providerCallsPerMinute) exceeded('providerCallsPerMinute', callsInWindow);
    },
    close() {
      closed = true;
      monitor.stop();
    },
  };
  return monitor;
}

function definedOnly(thresholds: Partial<ResourceThresholds> | undefined): Partial<ResourceThresholds> {
  const result: Partial<ResourceThresholds> = {};
  if (thresholds === undefined) return result;
  for (const [name, value] of Object.entries(thresholds) as Array<[keyof ResourceThresholds, number | undefined]>) {
    if (value !== undefined) result[name] = value;
  }
  return result;
}

import type { DestinationStream } from 'pino';
import { createEvents, type SwitchyardEvents } from './events.js';
import { createLogger, DEFAULT_INCLUDE_CONTENT, type LogLevel, type SwitchyardLogger } from './logger.js';
import { createMetrics, type SwitchyardMetrics } from './metrics.js';
import type { ObservabilityProfile } from './profile.js';
import { createResourceMonitor, type ResourceMonitor, type ResourceThresholds } from './resource-monitor.js';
import { createSummaryStore, type StatsSnapshot } from './summary-store.js';
import { createTracker, type Tracker } from './tracker.js';

export * from './events.js';
export * from './logger.js';
export * from './metrics.js';
export * from './profile.js';
export * from './redaction.js';
export * from './resource-monitor.js';
export * from './summary-store.js';
export * from './tracker.js';
export * from './track-stream.js';
export { LabelledChildren, OTHER_LABEL } from './label-children.js';

/** Whether monitoring is on by default: production only (as the design brief's `monitoring.enabled`). */
export const DEFAULT_MONITORING: Readonly<Record<ObservabilityProfile, boolean>> = {
  production: true,
  development: false,
  test: false,
};

/** Options of `createObservability`. */
export interface ObservabilityOptions {
  profile: ObservabilityProfile;
  /** Overrides the profile's log level (production warn, development debug, test error). */
  logLevel?: LogLevel;
  /** Log levels of single providers' calls (`providers.<name>.logLevel`), overriding `logLevel` for them. */
  providerLogLevels?: Readonly<Record<string, LogLevel>>;
  /** Log message content and error messages. Default: development only. Secrets are redacted always. */
  includeContent?: boolean;
  /** Where log lines go. Default stderr. */
  logDestination?: DestinationStream;
  /** Metrics, spans, dashboard stats and resource thresholds. Default: production only. Events and logs flow either way. */
  monitoring?: boolean;
  /** Overrides of the profile's thresholds (see DEFAULT_THRESHOLDS). */
  thresholds?: Partial<ResourceThresholds>;
  /** Memory sampling period of the resource monitor. Default 10,000 ms. */
  sampleIntervalMs?: number;
  /** One threshold warning per window; also the dashboard's rolling window. Default 60,000 ms. */
  windowMs?: number;
}

/** Everything observability, wired together; build one per client or gateway. */
export interface Observability {
  readonly profile: ObservabilityProfile;
  readonly monitoring: boolean;
  readonly includeContent: boolean;
  readonly logger: SwitchyardLogger;
  readonly metrics: SwitchyardMetrics;
  readonly events: SwitchyardEvents;
  readonly tracker: Tracker;
  readonly monitor: ResourceMonitor;
  /** The dashboard's JSON for `GET /api/stats`. */
  snapshot(): StatsSnapshot;
  /** Shorthand for `metrics.metricsText()`, for `GET /metrics`. */
  metricsText(): Promise<string>;
  /** The `content-type` of `metricsText()`. */
  readonly contentType: string;
  /** Stops the monitor, drops listeners and metrics, flushes the log. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates logger, events, metrics, tracker and resource monitor for a
 * profile. No timer starts here: with monitoring on, the monitor's unref'd
 * sampling timer starts on the first tracked operation and `close()` stops it.
 * With monitoring off, tracking is a clock read plus listener and log-level checks.
 */
export function createObservability(options: ObservabilityOptions): Observability {
  const profile = options.profile;
  const monitoring = options.monitoring ?? DEFAULT_MONITORING[profile];
  const includeContent = options.includeContent ?? DEFAULT_INCLUDE_CONTENT[profile];
  const logger = createLogger({ profile, level: options.logLevel, includeContent, destination: options.logDestination });
  const events = createEvents({
    onListenerError: (error, event) => logger.error({ err: error, event }, `"${event}" listener threw`),
  });
  const metrics = createMetrics();
  const summary = createSummaryStore({ enabled: monitoring, windowMs: options.windowMs });
  const monitor = createResourceMonitor({
    profile,
    thresholds: options.thresholds,
    logger,
    events,
    metrics,
    sampleIntervalMs: options.sampleIntervalMs,
    windowMs: options.windowMs,
  });
  const tracker = createTracker({ logger, events, metrics, summary, monitor, monitoring, includeContent, providerLogLevels: options.providerLogLevels });
  let closed = false;

  return {
    profile,
    monitoring,
    includeContent,
    logger,
    metrics,
    events,
    tracker,
    monitor,
    snapshot: () => summary.snapshot(),
    metricsText: () => metrics.metricsText(),
    contentType: metrics.contentType,
    async close() {
      if (closed) return;
      closed = true;
      monitor.close();
      events.removeAll();
      metrics.close();
      summary.clear();
      await new Promise<void>((resolve) => {
        logger.flush(() => resolve());
      });
    },
  };
}

import { describe, expect, it } from 'vitest';
import { createEvents, type ThresholdEvent } from './events.js';
import { createLogger, createMemoryDestination } from './logger.js';
import { createMetrics } from './metrics.js';
import { createResourceMonitor, DEFAULT_THRESHOLDS } from './resource-monitor.js';

const MEGABYTE = 1048576;

function setup(overrides: Parameters<typeof createResourceMonitor>[0] = {}) {
  const destination = createMemoryDestination();
  const logger = createLogger({ profile: 'production', destination });
  const events = createEvents();
  const metrics = createMetrics();
  const crossings: ThresholdEvent[] = [];
  events.on('threshold', (event) => crossings.push(event));
  let clock = 1_000_000;
  const monitor = createResourceMonitor({ profile: 'production', logger, events, metrics, now: () => clock, ...overrides });
  return {
    monitor,
    metrics,
    crossings,
    warnings: () => destination.records().filter((record) => record.level === 'warn'),
    advance: (milliseconds: number) => {
      clock += milliseconds;
    },
  };
}

describe('resource monitor', () => {
  it('reports a slow request once per window and counts the suppressed ones in the next report', async () => {
    const { monitor, metrics, crossings, warnings, advance } = setup({ windowMs: 60_000 });
    monitor.recordRequest(6000, 'a');
    monitor.recordRequest(7000, 'b');
    monitor.recordRequest(100, 'fast');
    monitor.recordRequest(8000, 'c');
    expect(crossings.map((event) => event.requestId)).toEqual(['a']);
    expect(warnings()).toHaveLength(1);
    advance(60_000);
    monitor.recordRequest(9000, 'd');
    expect(crossings.map((event) => [event.requestId, event.suppressed])).toEqual([
      ['a', 0],
      ['d', 2],
    ]);
    expect(warnings()).toHaveLength(2);
    expect(await metrics.metricsText()).toContain('switchyard_threshold_exceeded_total{name="slowRequestMs"} 4');
  });

  it('checks heap and rss on sample(), each threshold on its own window', () => {
    let heapUsed = 100 * MEGABYTE;
    const { monitor, crossings } = setup({ memoryUsage: () => ({ heapUsed, rss: 2000 * MEGABYTE }) });
    expect(monitor.sample()).toMatchObject({ heapMb: 100, rssMb: 2000, exceeded: ['rssMb'] });
    heapUsed = 600 * MEGABYTE;
    expect(monitor.sample().exceeded).toEqual(['heapMb', 'rssMb']);
    expect(crossings.map((event) => [event.name, event.value, event.limit])).toEqual([
      ['rssMb', 2000, DEFAULT_THRESHOLDS.production.rssMb],
      ['heapMb', 600, DEFAULT_THRESHOLDS.production.heapMb],
    ]);
  });

  it('counts upstream calls over a sliding minute', () => {
    const { monitor, crossings, advance } = setup({ thresholds: { providerCallsPerMinute: 5 } });
    for (let call = 0; call < 5; call += 1) {
      monitor.recordProviderCall();
      advance(10_000);
    }
    expect(crossings).toHaveLength(0);
    monitor.recordProviderCall();
    expect(crossings).toMatchObject([{ name: 'providerCallsPerMinute', value: 6, limit: 5 }]);
    advance(50_000);
    // At 100 s only the call made at 50 s is less than 60 s old.
    expect(monitor.sample().providerCallsPerMinute).toBe(1);
  });

  it('starts no timer until start(), unrefs it, and stops on stop() and close()', () => {
    const { monitor } = setup({ sampleIntervalMs: 5 });
    expect(monitor.running).toBe(false);
    monitor.start();
    monitor.start();
    expect(monitor.running).toBe(true);
    monitor.stop();
    expect(monitor.running).toBe(false);
    monitor.start();
    monitor.close();
    expect(monitor.running).toBe(false);
    monitor.start();
    expect(monitor.running).toBe(false);
  });

  it('merges profile defaults with overrides and rejects bad thresholds by name', () => {
    expect(createResourceMonitor({ profile: 'development', thresholds: { slowRequestMs: 250, heapMb: undefined } }).thresholds).toEqual({
      ...DEFAULT_THRESHOLDS.development,
      slowRequestMs: 250,
    });
    expect(DEFAULT_THRESHOLDS.production.slowRequestMs).toBe(5000);
    expect(() => createResourceMonitor({ thresholds: { rssMb: -1 } })).toThrowError(
      expect.objectContaining({ code: 'invalid_config', param: 'thresholds.rssMb' }),
    );
  });
});

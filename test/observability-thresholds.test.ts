// Resource thresholds through the whole stack: slow requests tracked by the tracker cross
// `slowRequestMs`; one window gives one warning line and one `threshold` event, however
// many requests crossed, while the metric counts every crossing.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createMemoryDestination, createObservability, type ThresholdEvent } from '../src/observability/index.js';

describe('slow-request threshold', () => {
  it('emits one threshold event and one warning per window for several slow requests', async () => {
    const destination = createMemoryDestination();
    const observability = createObservability({
      profile: 'production',
      logDestination: destination,
      // 1 ms: every request below sleeps 25 ms, so each one crosses it without depending on timing.
      thresholds: { slowRequestMs: 1 },
    });
    const crossings: ThresholdEvent[] = [];
    observability.events.on('threshold', (event) => crossings.push(event));

    for (let index = 0; index < 4; index += 1) {
      await observability.tracker.track('request', { requestId: `slow-${index}`, operation: 'chat', model: 'mock/echo', provider: 'mock' }, async (request) => {
        await sleep(25);
        request.set({ cache: 'miss' });
      });
    }

    expect(crossings).toHaveLength(1);
    expect(crossings[0]).toMatchObject({ name: 'slowRequestMs', limit: 1, requestId: 'slow-0', suppressed: 0 });
    expect(crossings[0].value).toBeGreaterThan(1);
    const warnings = destination.records().filter((record) => record.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ threshold: 'slowRequestMs', limit: 1, requestId: 'slow-0' });
    const text = await observability.metricsText();
    expect(text).toContain('switchyard_threshold_exceeded_total{name="slowRequestMs"} 4');
    await observability.close();
  });

  it('stays quiet for requests under the limit and with monitoring off', async () => {
    const destination = createMemoryDestination();
    const fast = createObservability({ profile: 'production', logDestination: destination });
    const off = createObservability({ profile: 'production', logDestination: destination, monitoring: false, thresholds: { slowRequestMs: 1 } });
    let crossings = 0;
    fast.events.on('threshold', () => crossings++);
    off.events.on('threshold', () => crossings++);
    for (const observability of [fast, off]) {
      await observability.tracker.track('request', { requestId: 'r', operation: 'chat', model: 'mock/echo' }, async () => {
        await sleep(5);
      });
    }
    expect(crossings).toBe(0);
    expect(destination.lines).toHaveLength(0);
    expect(fast.monitor.thresholds.slowRequestMs).toBe(5000);
    await fast.close();
    await off.close();
  });

  it('starts the sampling timer on first use, not at construction, and stops it on close', async () => {
    const observability = createObservability({ profile: 'production', logLevel: 'silent' });
    expect(observability.monitor.running).toBe(false);
    await observability.tracker.track('cache', { layer: 'memory', operation: 'get' }, () => undefined);
    expect(observability.monitor.running).toBe(true);
    await observability.close();
    expect(observability.monitor.running).toBe(false);
    observability.monitor.start();
    expect(observability.monitor.running).toBe(false);
  });
});

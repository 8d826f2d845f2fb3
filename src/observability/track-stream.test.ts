import { describe, expect, it } from 'vitest';
import { SwitchyardError, type StreamPart } from '../spec/index.js';
import { createEvents, type ResponseEvent } from './events.js';
import { createLogger, createMemoryDestination } from './logger.js';
import { createMetrics } from './metrics.js';
import { createSummaryStore } from './summary-store.js';
import { trackStream } from './track-stream.js';
import { createTracker } from './tracker.js';

const parts: StreamPart[] = [
  { type: 'text-delta', text: 'Hel' },
  { type: 'text-delta', text: 'lo' },
  { type: 'finish', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 } },
];

function setup() {
  const events = createEvents();
  const metrics = createMetrics();
  const tracker = createTracker({
    logger: createLogger({ profile: 'test', destination: createMemoryDestination() }),
    events,
    metrics,
    summary: createSummaryStore(),
  });
  const responses: ResponseEvent[] = [];
  events.on('response', (event) => responses.push(event));
  return { tracker, metrics, responses };
}

async function* source(items: StreamPart[], failAfter?: number): AsyncGenerator<StreamPart> {
  for (const [index, item] of items.entries()) {
    if (index === failAfter) throw new SwitchyardError({ code: 'body_timeout', message: 'stalled' });
    yield item;
  }
}

describe('trackStream', () => {
  it('passes parts through and ends the operation with usage and time to first token', async () => {
    const { tracker, responses } = setup();
    const handle = tracker.start('request', { requestId: 's1', operation: 'stream', model: 'mock/echo', provider: 'mock', cache: 'bypass' });
    const received: StreamPart[] = [];
    for await (const part of trackStream(handle, source(parts))) received.push(part);
    expect(received).toEqual(parts);
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ requestId: 's1', usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 }, finishReason: 'stop' });
    expect(responses[0].timeToFirstTokenMs).toBeLessThanOrEqual(responses[0].durationMs);
  });

  it('fails the operation with the stream error and rethrows it', async () => {
    const { tracker, metrics } = setup();
    const handle = tracker.start('upstream', { requestId: 's2', provider: 'mock', model: 'mock/echo', operation: 'stream' });
    const received: StreamPart[] = [];
    await expect(async () => {
      for await (const part of trackStream(handle, source(parts, 1))) received.push(part);
    }).rejects.toThrow('stalled');
    expect(received).toHaveLength(1);
    expect(handle.end().status).toBe('error');
    expect(await metrics.metricsText()).toContain('switchyard_upstream_errors_total{provider="mock",code="body_timeout"} 1');
  });

  it('ends the operation and closes the source when the consumer stops early', async () => {
    const { tracker, responses } = setup();
    let closed = false;
    async function* endless(): AsyncGenerator<StreamPart> {
      try {
        for (;;) yield { type: 'text-delta', text: 'x' };
      } finally {
        closed = true;
      }
    }
    const handle = tracker.start('request', { requestId: 's3', operation: 'stream', model: 'mock/echo' });
    let count = 0;
    for await (const part of trackStream(handle, endless())) {
      expect(part.type).toBe('text-delta');
      if (++count === 3) break;
    }
    expect(closed).toBe(true);
    expect(responses.map((event) => event.requestId)).toEqual(['s3']);
  });
});

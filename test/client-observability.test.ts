import { contentParts } from './support/driver.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createMemoryDestination } from '../src/observability/logger.js';
import type { ResponseEvent, ThresholdEvent } from '../src/observability/events.js';
import { createTestClient, fakeOpenAIProvider } from './support/client.js';

let upstream: OpenAIMockServer;
beforeAll(async () => {
  upstream = await startOpenAIMockServer();
});
afterAll(() => upstream.close());

/** Sums the samples of one metric whose labels include `match`. */
function sumSamples(text: string, metric: string, match: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((found) => [found[1], found[2]]));
    if (Object.entries(match).every(([key, value]) => labels[key] === value)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe('observability through the client', () => {
  it('counts exactly the requests and cache hits that were sent', async () => {
    const ai = createTestClient({
      providers: { openai: fakeOpenAIProvider(upstream.url) },
      cache: { responses: true },
      observability: { monitoring: true },
    });
    const responses: ResponseEvent[] = [];
    ai.on('response', (event) => responses.push(event));
    for (let index = 0; index < 7; index++) await ai.chat({ model: 'openai/gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: `question ${index}` }] });
    for (let index = 0; index < 3; index++) await ai.chat({ model: 'openai/gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: `question ${index}` }] });
    const text = await ai.observability.metricsText();
    expect(sumSamples(text, 'switchyard_requests_total')).toBe(10);
    expect(sumSamples(text, 'switchyard_requests_total', { cache: 'hit-memory' })).toBe(3);
    expect(sumSamples(text, 'switchyard_requests_total', { cache: 'miss' })).toBe(7);
    expect(sumSamples(text, 'switchyard_cache_hits_total', { layer: 'memory' })).toBe(3);
    expect(sumSamples(text, 'switchyard_upstream_requests_total')).toBe(7);
    expect(responses.map((event) => event.cache).filter((cache) => cache === 'hit-memory')).toHaveLength(3);
    const snapshot = ai.observability.snapshot();
    expect(snapshot.requests.total).toBe(10);
    await ai.close();
  });

  it('leaves nothing in flight for a stream dropped before its first read, and refuses calls after close', async () => {
    const ai = createTestClient({ observability: { monitoring: true } });
    await contentParts(ai.stream({ model: 'mock/echo', messages: [{ role: 'user', content: 'never read' }] })).return?.(undefined);
    for await (const part of ai.stream({ model: 'mock/echo', messages: [{ role: 'user', content: 'read once' }] })) if (part) break;
    expect(sumSamples(await ai.observability.metricsText(), 'switchyard_in_flight_requests', { kind: 'request' })).toBe(0);
    await ai.close();
    await expect(ai.models({ provider: 'mock' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(ai.chat({ model: 'mock/echo', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('emits one threshold event for slow requests in one window', async () => {
    const destination = createMemoryDestination();
    const ai = createTestClient({ observability: { monitoring: true, slowRequestMs: 1, logLevel: 'warn' }, mock: { latencyMs: 5 }, logDestination: destination });
    const thresholds: ThresholdEvent[] = [];
    ai.on('threshold', (event) => thresholds.push(event));
    for (let index = 0; index < 3; index++) await ai.chat({ model: 'mock/echo', messages: [{ role: 'user', content: 'slow' }] });
    expect(thresholds.filter((event) => event.name === 'slowRequestMs')).toHaveLength(1);
    const warnings = destination.records().filter((record) => record.level === 'warn' && record.threshold === 'slowRequestMs');
    expect(warnings).toHaveLength(1);
    await ai.close();
  });

  it('keeps prompts and keys out of production logs, even on errors', async () => {
    const destination = createMemoryDestination();
    const secretKey = 'sk-SECRET-KEY-0123456789abcdef';
    const marker = 'PROMPT-MARKER-7f3a';
    const ai = createTestClient({
      env: 'production',
      logDestination: destination,
      providers: { openai: fakeOpenAIProvider('http://127.0.0.1:1/v1', { apiKey: secretKey, retries: 1 }) },
      observability: { logLevel: 'trace' },
    });
    await ai.chat({ model: 'mock/echo', messages: [{ role: 'user', content: `${marker} [mock:500]` }] }).catch(() => undefined);
    await ai.chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: marker }] }).catch(() => undefined);
    await ai.chat({ model: 'mock/echo', messages: [{ role: 'user', content: marker }] });
    await ai.close();
    const log = destination.lines.join('\n');
    expect(destination.lines.length).toBeGreaterThan(3);
    expect(log).not.toContain(marker);
    expect(log).not.toContain(secretKey);
  }, 20_000);
});

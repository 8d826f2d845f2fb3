import { describe, expect, it } from 'vitest';
import type { ChatResponse } from '../spec/response.js';
import type { StreamPart } from '../spec/stream.js';
import { parseCachedResponse, replayCachedResponse, serializeCachedResponse, toCacheHitResponse } from './response-cache-entry.js';
import { createStreamCapture } from './stream-capture.js';

const response: ChatResponse = {
  id: 'chatcmpl-1',
  provider: 'openai',
  model: 'openai/gpt-4o-mini',
  content: 'Hello 👋 world, this is a cached answer.',
  toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
  finishReason: 'tool-calls',
  usage: { inputTokens: 12, outputTokens: 9, totalTokens: 21 },
  cost: 0.0000072,
  latencyMs: 840,
  cache: 'miss',
};

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const collected: StreamPart[] = [];
  for await (const part of parts) collected.push(part);
  return collected;
}

describe('cached responses', () => {
  it('round-trip without per-call fields', () => {
    const cached = parseCachedResponse(serializeCachedResponse(response, 1_000));
    expect(cached).toEqual({
      id: 'chatcmpl-1',
      provider: 'openai',
      model: 'openai/gpt-4o-mini',
      content: response.content,
      toolCalls: response.toolCalls,
      finishReason: 'tool-calls',
      usage: response.usage,
      storedAt: 1_000,
    });
  });

  it('reject malformed entries as a miss', () => {
    expect(parseCachedResponse('not json')).toBeUndefined();
    expect(parseCachedResponse('null')).toBeUndefined();
    expect(parseCachedResponse('{"id":"x"}')).toBeUndefined();
    const bad = JSON.parse(serializeCachedResponse(response)) as Record<string, unknown>;
    expect(parseCachedResponse(JSON.stringify({ ...bad, finishReason: 'exploded' }))).toBeUndefined();
    expect(parseCachedResponse(JSON.stringify({ ...bad, toolCalls: [{ id: 1 }] }))).toBeUndefined();
  });

  it('become hit responses: original usage, cost 0, the layer and this call’s latency', () => {
    const cached = parseCachedResponse(serializeCachedResponse(response))!;
    expect(toCacheHitResponse(cached, 'redis', 3)).toEqual({ ...response, cost: 0, latencyMs: 3, cache: 'hit-redis' });
  });

  it('replay as a stream: text chunks, tool-call deltas, finish last', async () => {
    const cached = parseCachedResponse(serializeCachedResponse(response))!;
    const parts = await collect(replayCachedResponse(cached, { layer: 'sql', chunkSize: 8 }));
    const text = parts.filter((part) => part.type === 'text-delta');
    expect(text.length).toBe(Math.ceil(Array.from(response.content).length / 8));
    expect(text.map((part) => part.text).join('')).toBe(response.content);
    expect(parts.filter((part) => part.type === 'tool-call-delta')).toEqual([
      { type: 'tool-call-delta', index: 0, id: 'call_1', name: 'get_weather', argumentsDelta: '{"city":"Paris"}' },
    ]);
    const finish = parts.at(-1)!;
    expect(finish).toMatchObject({ type: 'finish', finishReason: 'tool-calls', usage: response.usage, cost: 0, cache: 'hit-sql', id: 'chatcmpl-1' });
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
  });

  it('a replayed stream captured again gives the same entry', async () => {
    const cached = parseCachedResponse(serializeCachedResponse(response))!;
    const capture = createStreamCapture();
    for await (const part of replayCachedResponse(cached, { layer: 'memory', chunkSize: 5 })) capture.push(part);
    expect(capture.result({ id: 'x', provider: 'x', model: 'x' })).toEqual({
      id: 'chatcmpl-1',
      provider: 'openai',
      model: 'openai/gpt-4o-mini',
      content: response.content,
      toolCalls: response.toolCalls,
      finishReason: 'tool-calls',
      usage: response.usage,
    });
  });
});

describe('stream capture', () => {
  const identity = { id: 'r1', provider: 'openai', model: 'openai/gpt-4o' };

  it('merges tool-call deltas by index', () => {
    const capture = createStreamCapture();
    capture.push({ type: 'tool-call-delta', index: 0, id: 'a', name: 'f', argumentsDelta: '{"x"' });
    capture.push({ type: 'tool-call-delta', index: 1, id: 'b', name: 'g', argumentsDelta: '{}' });
    capture.push({ type: 'tool-call-delta', index: 0, id: '', argumentsDelta: ':1}' });
    capture.push({ type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } });
    expect(capture.result(identity)?.toolCalls).toEqual([
      { id: 'a', name: 'f', arguments: '{"x":1}' },
      { id: 'b', name: 'g', arguments: '{}' },
    ]);
  });

  it('gives nothing for a stream that was aborted, failed or never finished', () => {
    const unfinished = createStreamCapture();
    unfinished.push({ type: 'text-delta', text: 'half' });
    expect(unfinished.result(identity)).toBeUndefined();

    const aborted = createStreamCapture();
    aborted.push({ type: 'text-delta', text: 'half' });
    aborted.push({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } });
    aborted.abort();
    expect(aborted.result(identity)).toBeUndefined();

    const failed = createStreamCapture();
    failed.push({ type: 'finish', finishReason: 'error', usage: { inputTokens: 1, outputTokens: 0, totalTokens: 1 } });
    expect(failed.result(identity)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../spec/errors.js';
import type { StreamPart } from '../../spec/stream.js';
import { createMockDriver } from './mock-driver.js';

const user = (content: string) => [{ role: 'user' as const, content }];

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const collected: StreamPart[] = [];
  for await (const part of parts) collected.push(part);
  return collected;
}

describe('mock driver', () => {
  it('echoes the last user message and counts tokens', async () => {
    const driver = createMockDriver();
    const result = await driver.doGenerate({ modelId: 'echo', messages: [{ role: 'system', content: 'be brief' }, ...user('hello there')] });
    expect(result.content).toBe('hello there');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.outputTokens).toBe(2);
    expect(result.usage.inputTokens).toBeGreaterThan(2);
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens + result.usage.outputTokens);
  });

  it('writes max-tokens lorem words, the same for the same seed and different for another', async () => {
    const driver = createMockDriver();
    const first = await driver.doGenerate({ modelId: 'lorem', maxTokens: 12, seed: 7, messages: user('x') });
    const again = await driver.doGenerate({ modelId: 'lorem', maxTokens: 12, seed: 7, messages: user('x') });
    const other = await driver.doGenerate({ modelId: 'lorem', maxTokens: 12, seed: 8, messages: user('x') });
    expect(first.content.split(' ')).toHaveLength(12);
    expect(first.content).toBe(again.content);
    expect(other.content).not.toBe(first.content);
    expect(first.finishReason).toBe('length');
  });

  it('answers configured patterns with fixed replies', async () => {
    const driver = createMockDriver({ replies: [{ pattern: 'capital of france', reply: 'Paris.' }] });
    expect((await driver.doGenerate({ modelId: 'echo', messages: user('What is the capital of France?') })).content).toBe('Paris.');
  });

  it('streams in chunks of the configured size and ends with one finish part', async () => {
    const driver = createMockDriver({ streamChunkSize: 4 });
    const parts = await collect(driver.doStream({ modelId: 'echo', messages: user('abcdefghij') }));
    expect(parts.filter((part) => part.type === 'text-delta').map((part) => (part as { text: string }).text)).toEqual(['abcd', 'efgh', 'ij']);
    expect(parts.at(-1)?.type).toBe('finish');
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
  });

  it('produces realistic errors from trigger phrases', async () => {
    const driver = createMockDriver();
    const failure = (prompt: string) => driver.doGenerate({ modelId: 'echo', messages: user(prompt) }).catch((error: unknown) => error as SwitchyardError);
    const rateLimited = await failure('please [mock:429]');
    expect(rateLimited).toMatchObject({ code: 'rate_limited', status: 429, isRetryable: true, retryAfterMs: 1000 });
    expect(await failure('[mock:500]')).toMatchObject({ code: 'upstream_error', status: 500, isRetryable: true });
    expect(await failure('[mock:503]')).toMatchObject({ code: 'upstream_unavailable', status: 503 });
    const timeout = await createMockDriver({ timeoutMs: 5 }).doGenerate({ modelId: 'echo', messages: user('[mock:timeout]') }).catch((error: unknown) => error);
    expect(timeout).toMatchObject({ code: 'headers_timeout', isRetryable: true });
  });

  it('injects errors at the configured rate, deterministically for a seed', async () => {
    const outcomes = async (seed: number) => {
      const driver = createMockDriver({ errorRate: 0.5, seed });
      const results: string[] = [];
      for (let index = 0; index < 40; index++) {
        results.push(await driver.doGenerate({ modelId: 'echo', messages: user('hi') }).then(() => 'ok', (error: SwitchyardError) => error.code));
      }
      return results;
    };
    const first = await outcomes(3);
    expect(first).toEqual(await outcomes(3));
    const failures = first.filter((outcome) => outcome !== 'ok').length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(35);
  });

  it('calls a tool when asked, with arguments filling the required properties', async () => {
    const driver = createMockDriver();
    const tools = [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] } }];
    const result = await driver.doGenerate({ modelId: 'echo', tools, toolChoice: 'required', messages: user('weather?') });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0].name).toBe('get_weather');
    expect(JSON.parse(result.toolCalls[0].arguments)).toEqual({ city: 'mock' });
    const plain = await driver.doGenerate({ modelId: 'echo', tools, messages: user('no tool please') });
    expect(plain.toolCalls).toHaveLength(0);
  });

  it('rejects an unknown model and stops at an abort', async () => {
    const driver = createMockDriver({ latencyMs: 10_000 });
    await expect(driver.doGenerate({ modelId: 'nope', messages: user('x') })).rejects.toMatchObject({ code: 'model_not_found' });
    const controller = new AbortController();
    const pending = driver.doGenerate({ modelId: 'echo', messages: user('x'), signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
  });

  it('refuses max tokens and dimensions over its limits with a 400 naming the field', async () => {
    const driver = createMockDriver({ maxOutputTokens: 100, maxDimensions: 64 });
    await expect(driver.doGenerate({ modelId: 'lorem', maxTokens: 2_147_483_647, messages: user('x') })).rejects.toMatchObject({ code: 'invalid_request', param: 'maxTokens' });
    await expect(collect(driver.doStream({ modelId: 'lorem', maxTokens: 101, messages: user('x') }))).rejects.toMatchObject({ param: 'maxTokens' });
    await expect(driver.doEmbed!({ modelId: 'echo', input: ['x'], dimensions: 1_000_000 })).rejects.toMatchObject({ code: 'invalid_request', param: 'dimensions' });
    const embedded = await driver.doEmbed!({ modelId: 'echo', input: ['x'], dimensions: 64 });
    expect(embedded.embeddings[0]).toHaveLength(64);
    await expect(driver.doEmbed!({ modelId: 'nothing', input: ['x'] })).rejects.toMatchObject({ code: 'model_not_found' });
  });

  it('streams a long answer in at most 2048 text parts', async () => {
    const driver = createMockDriver();
    const parts = await collect(driver.doStream({ modelId: 'echo', messages: user('e'.repeat(100_000)) }));
    const text = parts.filter((part) => part.type === 'text-delta');
    expect(text.length).toBeLessThanOrEqual(2048);
    expect(text.map((part) => (part as { text: string }).text).join('')).toBe('e'.repeat(100_000));
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { createOpenAIDriver, type OpenAIDriver } from '../src/providers/openai/openai-driver.js';
import type { DriverCallOptions } from '../src/spec/driver.js';
import { collect, failure } from './support/driver.js';

// The OpenAI driver passing a Responses API body through to the OpenAI fake's /v1/responses.
const API_KEY = 'sk-responses-driver';
let server: OpenAIMockServer;
let driver: OpenAIDriver;

function responsesCall(body: Record<string, unknown>): DriverCallOptions {
  return { modelId: 'gpt-4o-mini', messages: [{ role: 'user', content: 'described' }], wireRequest: { format: 'openai-responses', body, extras: {} } };
}

beforeAll(async () => {
  server = await startOpenAIMockServer({ apiKey: API_KEY });
  driver = createOpenAIDriver({ baseURL: server.url, apiKey: API_KEY });
});
afterEach(() => server.reset());
afterAll(async () => {
  await driver.close();
  await server.close();
});

describe('OpenAI driver: the Responses API passed through', () => {
  it('posts the body verbatim to /responses and returns the upstream body with its text, calls and usage', async () => {
    const body = { model: 'openai/gpt-4o-mini', input: 'use the lookup tool', tools: [{ type: 'function', name: 'lookup', parameters: {} }], store: false };
    const result = await driver.doGenerate(responsesCall(body));
    expect(server.lastRequest()).toMatchObject({ path: '/v1/responses', body: { ...body, model: 'gpt-4o-mini' } });
    expect(result.toolCalls).toEqual([{ id: expect.stringMatching(/^call_mock_/), name: 'lookup', arguments: '{"input":"use the lookup tool"}' }]);
    expect(result.finishReason).toBe('tool-calls');
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.native).toMatchObject({ format: 'openai-responses', body: { object: 'response', id: result.id } });
  });

  it('streams the upstream events as native events, then a finish part with the text and usage', async () => {
    const parts = await collect(driver.doStream(responsesCall({ model: 'gpt-4o-mini', input: 'three streamed words', stream: true })));
    const events = parts.filter((part) => part.type === 'native-event');
    expect(events[0]).toMatchObject({ format: 'openai-responses', event: 'response.created' });
    expect(events.at(-1)).toMatchObject({ event: 'response.completed' });
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', content: 'three streamed words', usage: { outputTokens: 3 } });
  });

  it('marks the events that carry content (text, a function call): a stream commits to its upstream at the first', async () => {
    const text = await collect(driver.doStream(responsesCall({ model: 'gpt-4o-mini', input: 'two words', stream: true })));
    const textEvents = text.filter((part) => part.type === 'native-event');
    expect(textEvents.find((part) => part.event === 'response.created')).not.toHaveProperty('content');
    expect(textEvents.filter((part) => part.event === 'response.output_text.delta').every((part) => part.content === true)).toBe(true);
    const tool = await collect(driver.doStream(responsesCall({ model: 'gpt-4o-mini', input: 'use the lookup tool', stream: true, tools: [{ type: 'function', name: 'lookup', parameters: {} }] })));
    const argumentEvents = tool.filter((part) => part.type === 'native-event' && part.event === 'response.function_call_arguments.delta');
    expect(argumentEvents.length).toBeGreaterThan(0);
    expect(argumentEvents.every((part) => part.type === 'native-event' && part.content === true)).toBe(true);
  });

  it('turns an error event into a SwitchyardError, and a stream without its terminal event into invalid_response', async () => {
    const created = 'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"resp_x","status":"in_progress","output":[]}}\n\n';
    server.enqueue({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: `${created}event: error\ndata: {"type":"error","code":"server_error","message":"upstream broke","param":null,"sequence_number":1}\n\n`,
    });
    const failed = await failure(() => collect(driver.doStream(responsesCall({ model: 'gpt-4o-mini', input: 'x', stream: true }))));
    expect(failed).toMatchObject({ code: 'upstream_error', provider: 'openai' });
    expect(failed.message).toContain('upstream broke');

    server.enqueue({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: created });
    const truncated = await failure(() => collect(driver.doStream(responsesCall({ model: 'gpt-4o-mini', input: 'x', stream: true }))));
    expect(truncated).toMatchObject({ code: 'invalid_response', isRetryable: true });
  });
});

import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway-support.js';

// The official Anthropic SDK, unmodified, against /v1/messages (mock provider).
let gateway: TestGateway;
let client: Anthropic;

beforeAll(async () => {
  gateway = await startTestGateway({ server: { apiKeys: ['team-a:key-for-anthropic-test'] } });
  client = new Anthropic({ baseURL: gateway.url, apiKey: 'key-for-anthropic-test', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
});

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather of a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('gateway with the official @anthropic-ai/sdk client', () => {
  it('answers messages.create with a system prompt as blocks', async () => {
    const { data, response } = await client.messages
      .create({
        model: 'mock/echo',
        max_tokens: 64,
        system: [{ type: 'text', text: 'You are terse.' }],
        messages: [{ role: 'user', content: 'hello anthropic wire' }],
      })
      .withResponse();
    expect(data.type).toBe('message');
    expect(data.role).toBe('assistant');
    expect(data.content).toEqual([{ type: 'text', text: 'hello anthropic wire' }]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchyard-model')).toBe('mock/echo');
    expect(response.headers.get('x-switchyard-cache')).toBe('bypass');
  });

  it('streams with messages.stream: text events, then finalMessage()', async () => {
    const text = 'streamed through the Anthropic event sequence, several chunks long';
    const stream = client.messages.stream({ model: 'mock/echo', max_tokens: 128, system: 'terse', messages: [{ role: 'user', content: text }] });
    const pieces: string[] = [];
    const eventTypes: string[] = [];
    stream.on('text', (piece) => pieces.push(piece));
    stream.on('streamEvent', (event) => eventTypes.push(event.type));
    const message = await stream.finalMessage();
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(text);
    expect(message.content).toEqual([{ type: 'text', text }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(eventTypes[0]).toBe('message_start');
    expect(eventTypes[1]).toBe('content_block_start');
    expect(eventTypes.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it("sends Anthropic's exact SSE event sequence (ping included, which the SDK hides)", async () => {
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer key-for-anthropic-test' },
      body: JSON.stringify({ model: 'mock/echo', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'one two three four five six' }] }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-switchyard-provider')).toBe('mock');
    expect(response.headers.get('x-switchyard-model')).toBe('mock/echo');
    expect(response.headers.get('x-switchyard-cache')).toBe('bypass');
    expect(Number(response.headers.get('x-switchyard-overhead-ms'))).toBeGreaterThanOrEqual(0);
    const text = await response.text();
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    const deltas = events.filter((event) => event === 'content_block_delta').length;
    expect(deltas).toBeGreaterThan(1);
    expect(events).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...Array<string>(deltas).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(text).toContain('"delta":{"type":"text_delta"');
    expect(text).toContain('"stop_reason":"end_turn"');
  });

  it('returns tool_use blocks and accepts tool_result blocks back', async () => {
    const first = await client.messages.create({
      model: 'mock/echo',
      max_tokens: 128,
      tools: [weatherTool],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    const toolUse = first.content.find((block) => block.type === 'tool_use');
    if (toolUse?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(toolUse.name).toBe('get_weather');
    expect(toolUse.input).toHaveProperty('city');

    const second = await client.messages.create({
      model: 'mock/echo',
      max_tokens: 128,
      tools: [weatherTool],
      tool_choice: { type: 'none' },
      messages: [
        { role: 'user', content: 'What is the weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: '21 degrees' }, { type: 'text', text: 'Summarise it' }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Summarise it' }]);
  });

  it('streams a tool call as a tool_use block with input_json_delta', async () => {
    const stream = client.messages.stream({
      model: 'mock/echo',
      max_tokens: 128,
      tools: [weatherTool],
      tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: 'weather?' }],
    });
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    const block = message.content.find((entry) => entry.type === 'tool_use');
    expect(block?.type === 'tool_use' && block.input).toHaveProperty('city');
  });

  it('answers errors in the Anthropic shape', async () => {
    const unknown = await client.messages.create({ model: 'nowhere/model', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect((unknown as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });

    const badKey = new Anthropic({ baseURL: gateway.url, apiKey: 'not-a-key', maxRetries: 0 });
    const denied = await badKey.messages.create({ model: 'mock/echo', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(Anthropic.AuthenticationError);

    const missing = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'key-for-anthropic-test' },
      body: JSON.stringify({ model: 'mock/echo', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('max_tokens');
  });
});

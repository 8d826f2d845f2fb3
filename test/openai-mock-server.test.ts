import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';

/*
 * The mock must speak OpenAI's exact wire format: the official SDK is the judge.
 */
let server: OpenAIMockServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startOpenAIMockServer({ apiKey: 'sk-mock' });
  client = new OpenAI({ baseURL: server.url, apiKey: 'sk-mock', maxRetries: 0 });
});
afterEach(() => server.reset());
afterAll(() => server.close());

describe('OpenAI mock server, checked with the official openai SDK', () => {
  it('answers a chat completion with an echo', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping pong' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message.content).toBe('ping pong');
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBe(2);
  });

  it('streams chunks with a usage chunk and [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'one two three' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('one two three');
    expect(usage).toMatchObject({ completion_tokens: 3 });
  });

  it('calls a tool when asked, in one response and in a stream', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'search', parameters: { type: 'object', properties: {} } } },
    ];
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'use the search tool' }],
      tools,
    });
    const call = completion.choices[0].message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('search');
    expect(completion.choices[0].finish_reason).toBe('tool_calls');

    const stream = client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'use the search tool' }], tools });
    const final = await stream.finalChatCompletion();
    const streamed = final.choices[0].message.tool_calls?.[0];
    expect(streamed?.type === 'function' && JSON.parse(streamed.function.arguments)).toEqual({ input: 'use the search tool' });
  });

  it('lists models and embeds deterministically', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('gpt-4o-mini');
    const first = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['x', 'y'], encoding_format: 'float' });
    const second = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'y', encoding_format: 'float' });
    expect(first.data[1].embedding).toEqual(second.data[0].embedding);
    expect(first.data[0].embedding).toHaveLength(8);
  });

  it('answers a bad key with 401 invalid_api_key in the OpenAI error shape', async () => {
    const other = new OpenAI({ baseURL: server.url, apiKey: 'sk-bad', maxRetries: 0 });
    const error = await other.models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
  });

  it('plays scripted responses in order, then resumes', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow', type: 'requests', code: null, param: null } } });
    const error = await client.models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    await expect(client.models.list()).resolves.toBeDefined();
    expect(server.stats.requests).toBe(2);
  });

  it('ends the raw event stream with data: [DONE], without usage unless asked', async () => {
    const response = await request(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-mock', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(response.headers['content-type']).toContain('text/event-stream');
    const text = await response.body.text();
    expect(text.startsWith('data: {')).toBe(true);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(text).not.toContain('"usage"');
    expect(server.stats.requests).toBe(1);
    expect(server.stats.closedRequests).toBe(0);
  });
});


import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startAnthropicMockServer, type AnthropicMockServer } from '../src/mock-upstream/anthropic-server.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { startTestGateway, type TestGateway } from './gateway-support.js';

// The Responses API forwarded natively to an OpenAI upstream (the OpenAI fake): the body verbatim, the upstream's own
// answer back, stored per tenant; and conversations crossing between OpenAI and Anthropic upstreams.
let openaiUpstream: OpenAIMockServer;
let anthropic: AnthropicMockServer;
let gateway: TestGateway;
let client: OpenAI;
let otherTenant: OpenAI;

const GPT = 'openai/gpt-4o-mini';
const CLAUDE = 'anthropic/claude-haiku-4-5';
const lookupTool = { type: 'function' as const, name: 'lookup', description: 'Looks a word up', parameters: { type: 'object', properties: { input: { type: 'string' } } }, strict: true };
const upstreamBody = () => openaiUpstream.lastRequest()?.body as Record<string, unknown>;

beforeAll(async () => {
  openaiUpstream = await startOpenAIMockServer({ apiKey: 'sk-upstream' });
  anthropic = await startAnthropicMockServer({ apiKey: 'anthropic-upstream-key' });
  gateway = await startTestGateway({
    cache: { responses: true },
    providers: {
      openai: { baseURL: openaiUpstream.url, apiKey: 'sk-upstream', retries: 0 },
      anthropic: { baseURL: anthropic.url, apiKey: 'anthropic-upstream-key', retries: 0 },
    },
    server: { apiKeys: ['team-a:key-native-a', 'team-b:key-native-b'] },
  });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'key-native-a', maxRetries: 0 });
  otherTenant = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'key-native-b', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([openaiUpstream?.close(), anthropic?.close()]);
});

describe('Responses forwarded natively to OpenAI', () => {
  it('sends the body verbatim (model replaced) and answers with the upstream\'s own response', async () => {
    const request = {
      model: GPT,
      input: [{ role: 'developer' as const, content: 'be exact' }, { role: 'user' as const, content: 'native hello' }],
      reasoning: { effort: 'low' as const },
      include: ['message.output_text.logprobs' as const],
      text: { verbosity: 'low' as const },
      metadata: { run: 'native' },
      max_output_tokens: 40,
    };
    const { data, response } = await client.responses.create(request).withResponse();
    const { model: _model, ...rest } = request;
    expect(upstreamBody()).toEqual({ ...rest, model: 'gpt-4o-mini' });
    expect(data.id).toMatch(/^resp_mock_/);
    expect(data.output_text).toBe('native hello');
    expect(data.text).toMatchObject({ verbosity: 'medium' }); // the fake's own field, which the conversion never writes
    expect(response.headers.get('x-switchyard-provider')).toBe('openai');
    expect((await client.responses.retrieve(data.id)).output_text).toBe('native hello');
  });

  it('streams the upstream\'s events unchanged and stores the final response', async () => {
    const stream = client.responses.stream({ model: GPT, input: 'native streamed words arrive one by one' });
    const events: Array<{ type: string; sequence_number: number }> = [];
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();
    expect(upstreamBody()).toMatchObject({ stream: true, model: 'gpt-4o-mini' });
    expect(events[0]).toMatchObject({ type: 'response.created', sequence_number: 0 });
    expect(events.at(-1)).toMatchObject({ type: 'response.completed', response: { id: final.id } });
    expect(events.filter((event) => event.type === 'response.output_text.delta').length).toBeGreaterThan(1);
    expect(final.output_text).toBe('native streamed words arrive one by one');
    expect((await client.responses.retrieve(final.id)).output_text).toBe(final.output_text);
  });

  it('round-trips a function call, forwarding previous_response_id verbatim to the upstream that knows it', async () => {
    const first = await client.responses.create({ model: GPT, input: 'please lookup cats', tools: [lookupTool] });
    const call = first.output[0];
    if (call.type !== 'function_call') throw new Error('expected a function call');
    expect(upstreamBody().tools).toEqual([lookupTool]);
    const second = await client.responses.create({
      model: GPT,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'a small feline' }],
      tools: [lookupTool],
    });
    expect(upstreamBody().previous_response_id).toBe(first.id);
    expect(second.output_text).toBe('The tool answered: a small feline');
  });

  it('is cached like chat, streamed and not', async () => {
    const request = { model: GPT, input: 'cache the native answer', temperature: 0 };
    const before = openaiUpstream.stats.requests;
    const first = await client.responses.create(request).withResponse();
    const second = await client.responses.create(request).withResponse();
    expect(second.response.headers.get('x-switchyard-cache')).toBe('hit-memory');
    expect(second.data).toEqual(first.data);
    const streamed: string[] = [];
    for (let round = 0; round < 2; round++) {
      const stream = client.responses.stream(request);
      for await (const event of stream) void event;
      streamed.push((await stream.finalResponse()).output_text);
    }
    expect(streamed).toEqual(['cache the native answer', 'cache the native answer']);
    expect(openaiUpstream.stats.requests - before).toBe(2);
  });

  it('keeps tenants apart: another tenant\'s id is 404 and never reaches the upstream', async () => {
    const created = await client.responses.create({ model: GPT, input: 'team a only' });
    const before = openaiUpstream.stats.requests;
    await expect(otherTenant.responses.create({ model: GPT, input: 'x', previous_response_id: created.id })).rejects.toMatchObject({ status: 404 });
    await expect(otherTenant.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(otherTenant.responses.delete(created.id)).rejects.toMatchObject({ status: 404 });
    expect(openaiUpstream.stats.requests).toBe(before);
    await client.responses.delete(created.id);
    await expect(client.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe('conversations across wires', () => {
  it('continues on OpenAI a conversation begun on Anthropic: the history is sent as input', async () => {
    const first = await client.responses.create({ model: CLAUDE, input: 'started on claude' });
    await client.responses.create({ model: GPT, input: 'continued on gpt', previous_response_id: first.id });
    const body = upstreamBody();
    expect(body).not.toHaveProperty('previous_response_id');
    expect(body.input).toEqual([
      { type: 'message', role: 'user', content: 'started on claude' },
      { type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'started on claude', annotations: [], logprobs: [] }] },
      { type: 'message', role: 'user', content: 'continued on gpt' },
    ]);
  });

  it('continues on Anthropic a conversation begun natively on OpenAI, a function call included', async () => {
    const first = await client.responses.create({ model: GPT, input: 'lookup dogs', tools: [{ ...lookupTool, strict: false }] });
    const call = first.output[0];
    if (call.type !== 'function_call') throw new Error('expected a function call');
    const second = await client.responses.create({
      model: CLAUDE,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'a loyal canine' }],
      tools: [{ ...lookupTool, strict: false }],
    });
    expect(second.status).toBe('completed');
    expect((anthropic.lastRequest()?.body as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: 'lookup dogs' },
      { role: 'assistant', content: [{ type: 'tool_use', id: call.call_id, name: 'lookup', input: { input: 'lookup dogs' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.call_id, content: 'a loyal canine' }] },
    ]);
  });
});

describe('Vercel AI SDK default OpenAI model, native', () => {
  const openai = () => createOpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'key-native-a' });

  it('generateText and streamText reach the upstream\'s /v1/responses', async () => {
    const result = await generateText({ model: openai()(GPT), system: 'be brief', prompt: 'vercel native' });
    expect(result.text).toBe('vercel native');
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(upstreamBody().input).toEqual([{ role: 'system', content: 'be brief' }, { role: 'user', content: [{ type: 'input_text', text: 'vercel native' }] }]);
    const streamed = streamText({ model: openai()(GPT), prompt: 'vercel native stream of words' });
    const pieces: string[] = [];
    for await (const piece of streamed.textStream) pieces.push(piece);
    expect(pieces.join('')).toBe('vercel native stream of words');
    expect(upstreamBody().stream).toBe(true);
  });

  it('runs a multi-step tool loop and generateObject with the JSON schema sent verbatim', async () => {
    const result = await generateText({
      model: openai()(GPT),
      prompt: 'please lookup owls',
      tools: { lookup: tool({ description: 'Looks a word up', inputSchema: z.object({ input: z.string() }), execute: async () => 'a night bird' }) },
      stopWhen: stepCountIs(3),
    });
    expect(result.steps).toHaveLength(2);
    expect(result.text).toBe('The tool answered: a night bird');
    expect((upstreamBody().input as Array<{ type?: string }>).map((item) => item.type)).toEqual([undefined, 'function_call', 'function_call_output']);

    const { object } = await generateObject({ model: openai()(GPT), schema: z.object({ bird: z.string() }), prompt: '{"bird":"owl"}' });
    expect(object).toEqual({ bird: 'owl' });
    expect(upstreamBody().text).toMatchObject({ format: { type: 'json_schema', strict: true, schema: { type: 'object', properties: { bird: { type: 'string' } } } } });
  });
});

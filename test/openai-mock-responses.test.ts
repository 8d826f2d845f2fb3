import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';

// The OpenAI fake upstream's Responses API, driven directly by the official SDK, as a user's own tests would.
let server: OpenAIMockServer;
let client: OpenAI;

const lookupTool = { type: 'function' as const, name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } }, strict: false };

beforeAll(async () => {
  server = await startOpenAIMockServer({ apiKey: 'sk-mock' });
  client = new OpenAI({ baseURL: server.url, apiKey: 'sk-mock', maxRetries: 0 });
});

afterAll(async () => {
  await server?.close();
});

describe('OpenAI mock upstream: /v1/responses', () => {
  it('answers responses.create with an echo and Responses usage', async () => {
    const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'echo this back' });
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'gpt-4o-mini' });
    expect(response.output_text).toBe('echo this back');
    expect(response.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: 3, input_tokens_details: { cached_tokens: 0 } });
  });

  it('cuts at max_output_tokens with status incomplete', async () => {
    const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'one two three four five six', max_output_tokens: 2 });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.output_text).toBe('one two');
  });

  it('streams the documented events and a function call, then answers the tool result with text', async () => {
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'use the lookup tool', tools: [lookupTool] });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const final = await stream.finalResponse();
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types.at(-1)).toBe('response.completed');
    const call = final.output[0];
    if (call.type !== 'function_call') throw new Error('expected a function call');
    expect(call.name).toBe('lookup');

    const answer = await client.responses.create({
      model: 'gpt-4o-mini',
      previous_response_id: final.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'found it' }],
      tools: [lookupTool],
    });
    expect(answer.output_text).toBe('The tool answered: found it');
  });

  it('stores responses: retrieve, delete, and 404 for an unknown previous_response_id', async () => {
    const created = await client.responses.create({ model: 'gpt-4o-mini', input: 'store me' });
    expect((await client.responses.retrieve(created.id)).output_text).toBe('store me');
    await client.responses.delete(created.id);
    await expect(client.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(client.responses.create({ model: 'gpt-4o-mini', input: 'x', previous_response_id: created.id })).rejects.toMatchObject({
      status: 404,
      code: 'previous_response_not_found',
    });
  });
});

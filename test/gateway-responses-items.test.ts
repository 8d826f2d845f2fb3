import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicMockServer, type AnthropicMockServer } from '../src/mock-upstream/anthropic-server.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { startTestGateway, type TestGateway } from './gateway-support.js';

/*
 * The stored responses' input items (GET /v1/responses/{id}/input_items, in
 * OpenAI's list shape with limit, order and after) and DELETE reaching the
 * provider's own copy of a natively forwarded response, through the openai
 * SDK, per tenant.
 */

let openaiUpstream: OpenAIMockServer;
let anthropic: AnthropicMockServer;
let gateway: TestGateway;
let client: OpenAI;
let otherTenant: OpenAI;

const GPT = 'openai/gpt-4o-mini';
const CLAUDE = 'anthropic/claude-haiku-4-5';

beforeAll(async () => {
  openaiUpstream = await startOpenAIMockServer({ apiKey: 'sk-upstream' });
  anthropic = await startAnthropicMockServer({ apiKey: 'anthropic-upstream-key' });
  gateway = await startTestGateway({
    providers: {
      openai: { baseURL: openaiUpstream.url, apiKey: 'sk-upstream', retries: 0 },
      anthropic: { baseURL: anthropic.url, apiKey: 'anthropic-upstream-key', retries: 0 },
    },
    server: { apiKeys: ['team-a:key-items-a', 'team-b:key-items-b'] },
  });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'key-items-a', maxRetries: 0 });
  otherTenant = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'key-items-b', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([openaiUpstream?.close(), anthropic?.close()]);
});

/** The upstream's own view of a response id: its status on GET /v1/responses/{id}. */
async function upstreamStatus(id: string): Promise<number> {
  const response = await fetch(`${openaiUpstream.url}/responses/${id}`, { headers: { authorization: 'Bearer sk-upstream' } });
  await response.arrayBuffer();
  return response.status;
}

const texts = (items: Array<Record<string, unknown>>) =>
  items.map((item) => ((item.content as Array<{ text?: string }> | undefined)?.[0]?.text ?? item.type) as string);

describe('GET /v1/responses/{id}/input_items', () => {
  it('lists a response\'s input items in OpenAI\'s list shape, newest first by default, paged by limit, order and after', async () => {
    const first = await client.responses.create({ model: CLAUDE, instructions: 'be brief', input: [{ role: 'user', content: 'one' }, { role: 'user', content: 'two' }] });
    const second = await client.responses.create({ model: CLAUDE, previous_response_id: first.id, input: 'three' });

    const whole = await client.responses.inputItems.list(second.id, { order: 'asc' });
    // The conversation's items up to the response: the first input, the first answer, then this input.
    expect(texts(whole.data as never)).toEqual(['one', 'two', first.output_text, 'three']);
    expect(whole.data.every((item) => typeof item.id === 'string')).toBe(true);
    expect(whole.data[3]).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'three' }] });
    expect(whole.data[2]).toMatchObject({ id: first.output[0].id, type: 'message', role: 'assistant' });

    const raw = (await (await fetch(`${gateway.url}/v1/responses/${second.id}/input_items?limit=2`, { headers: { authorization: 'Bearer key-items-a' } })).json()) as Record<string, unknown>;
    const data = raw.data as Array<{ id: string }>;
    expect(raw).toMatchObject({ object: 'list', has_more: true, first_id: data[0].id, last_id: data[1].id });
    expect(texts(data as never)).toEqual(['three', first.output_text]);

    const next = await client.responses.inputItems.list(second.id, { limit: 2, after: data[1].id });
    expect(texts(next.data as never)).toEqual(['two', 'one']);
    expect(next.has_more).toBe(false);

    // The SDK's own pager walks every page.
    const walked: string[] = [];
    for await (const item of client.responses.inputItems.list(second.id, { limit: 1, order: 'asc' })) walked.push(item.id);
    expect(walked).toEqual(whole.data.map((item) => item.id));
  });

  it('lists a natively forwarded response\'s input too, and refuses a bad page request by name', async () => {
    const native = await client.responses.create({ model: GPT, input: 'native items' });
    const list = await client.responses.inputItems.list(native.id);
    expect(list.data).toEqual([expect.objectContaining({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'native items' }] })]);
    for (const [query, param] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['order=sideways', 'order'],
      ['after=nope', 'after'],
    ]) {
      const response = await fetch(`${gateway.url}/v1/responses/${native.id}/input_items?${query}`, { headers: { authorization: 'Bearer key-items-a' } });
      const body = (await response.json()) as { error: { message: string; param?: string } };
      expect(response.status, query).toBe(400);
      expect(body.error.message, query).toContain(param);
    }
  });

  it('is per tenant: another tenant\'s id and an unknown id are 404', async () => {
    const mine = await client.responses.create({ model: CLAUDE, input: 'mine only' });
    await expect(otherTenant.responses.inputItems.list(mine.id)).rejects.toMatchObject({ status: 404 });
    await expect(client.responses.inputItems.list('resp_unknown')).rejects.toMatchObject({ status: 404 });
  });
});

describe('DELETE /v1/responses/{id}', () => {
  it('deletes the provider\'s copy of a natively forwarded response with the gateway\'s', async () => {
    const native = await client.responses.create({ model: GPT, input: 'forget me' });
    expect(await upstreamStatus(native.id)).toBe(200);
    const before = openaiUpstream.stats.requests;
    await client.responses.delete(native.id);
    expect(openaiUpstream.lastRequest()).toMatchObject({ method: 'DELETE', path: `/v1/responses/${native.id}` });
    expect(openaiUpstream.stats.requests).toBe(before + 1);
    expect(await upstreamStatus(native.id)).toBe(404);
    await expect(client.responses.retrieve(native.id)).rejects.toMatchObject({ status: 404 });
    await expect(client.responses.delete(native.id)).rejects.toMatchObject({ status: 404 });
  });

  it('keeps the gateway\'s copy when the provider cannot delete (try again later); a copy the provider no longer has is deleted', async () => {
    const native = await client.responses.create({ model: GPT, input: 'keep me for now' });
    openaiUpstream.enqueue({ status: 500, body: { error: { message: 'boom', type: 'server_error', param: null, code: null } } });
    await expect(client.responses.delete(native.id)).rejects.toMatchObject({ status: 502 });
    expect((await client.responses.retrieve(native.id)).id).toBe(native.id);
    // Gone upstream already: the gateway's copy goes too.
    await fetch(`${openaiUpstream.url}/responses/${native.id}`, { method: 'DELETE', headers: { authorization: 'Bearer sk-upstream' } });
    await client.responses.delete(native.id);
    await expect(client.responses.retrieve(native.id)).rejects.toMatchObject({ status: 404 });
  });

  it('never reaches the provider for a response it did not answer natively, or for another tenant', async () => {
    const converted = await client.responses.create({ model: CLAUDE, input: 'claude answered' });
    const native = await client.responses.create({ model: GPT, input: 'not yours' });
    const before = openaiUpstream.stats.requests;
    await client.responses.delete(converted.id);
    await expect(otherTenant.responses.delete(native.id)).rejects.toMatchObject({ status: 404 });
    expect(openaiUpstream.stats.requests).toBe(before);
    expect(await upstreamStatus(native.id)).toBe(200);
  });
});

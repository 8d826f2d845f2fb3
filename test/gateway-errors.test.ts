import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway-support.js';

// Bad input and upstream failures: the right status, a JSON error in the API's shape, and a server that carries on.
let gateway: TestGateway;
const KEY = 'errors-test-key-0001';

beforeAll(async () => {
  gateway = await startTestGateway({
    server: { apiKeys: [KEY] },
    providers: { mock: { retries: 0, headersTimeoutMs: 200 } },
  });
});

afterAll(async () => {
  await gateway?.stop();
});

interface OpenAIErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}

function post(body: string | Uint8Array, headers: Record<string, string> = {}, path = '/v1/chat/completions') {
  return fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers }, body });
}

async function expectError(response: Response, status: number, code: string): Promise<OpenAIErrorBody> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/json');
  const body = (await response.json()) as OpenAIErrorBody;
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at |node_modules|errors-test-key/);
  return body;
}

async function expectServing(): Promise<void> {
  const response = await post(JSON.stringify({ model: 'mock/echo', messages: [{ role: 'user', content: 'still here' }] }));
  expect(response.status).toBe(200);
  const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
  expect(body.choices[0].message.content).toBe('still here');
}

describe('gateway errors', () => {
  it('malformed JSON -> 400', async () => {
    await expectError(await post('{"model": "mock/echo", "messages": [}'), 400, 'invalid_request');
    await expectServing();
  });

  it('wrong types -> 400 naming the field', async () => {
    const body = await expectError(await post(JSON.stringify({ model: 'mock/echo', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' })), 400, 'invalid_request');
    expect(body.error.param).toBe('temperature');
    expect(body.error.message).toContain('temperature');
    await expectServing();
  });

  it('missing messages -> 400 naming messages', async () => {
    const body = await expectError(await post(JSON.stringify({ model: 'mock/echo' })), 400, 'invalid_request');
    expect(body.error.param).toBe('messages');
    await expectServing();
  });

  it('a field the provider cannot honour -> 400 naming it', async () => {
    const body = await expectError(await post(JSON.stringify({ model: 'mock/echo', logit_bias: { '1': 2 }, messages: [{ role: 'user', content: 'x' }] })), 400, 'unsupported');
    expect(body.error.param).toBe('logit_bias');
  });

  it('a 20 MB body -> 413', async () => {
    const huge = JSON.stringify({ model: 'mock/echo', messages: [{ role: 'user', content: 'x'.repeat(20 * 1024 * 1024) }] });
    await expectError(await post(huge), 413, 'payload_too_large');
    await expectServing();
  });

  it('an unknown model -> 404 model_not_found', async () => {
    const body = await expectError(await post(JSON.stringify({ model: 'nowhere/gpt', messages: [{ role: 'user', content: 'x' }] })), 404, 'model_not_found');
    expect(body.error.type).toBe('invalid_request_error');
    await expectError(await post(JSON.stringify({ model: 'mock/no-such-model', messages: [{ role: 'user', content: 'x' }] })), 404, 'model_not_found');
    await expectServing();
  });

  it('a bad or missing key -> 401, without echoing the key', async () => {
    const bad = await expectError(await post(JSON.stringify({ model: 'mock/echo', messages: [] }), { authorization: 'Bearer errors-test-key-wrong' }), 401, 'authentication_failed');
    expect(bad.error.message).not.toContain('wrong');
    await expectError(await post(JSON.stringify({ model: 'mock/echo', messages: [] }), { authorization: '' }), 401, 'authentication_failed');
    await expectServing();
  });

  it('an upstream 429 -> 429 with retry-after passed on', async () => {
    const response = await post(JSON.stringify({ model: 'mock/echo', messages: [{ role: 'user', content: 'please [mock:429]' }] }));
    await expectError(response, 429, 'rate_limited');
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('retry-after-ms')).toBe('1000');
  });

  it('an upstream 500 -> 502 and an upstream timeout -> 504', async () => {
    await expectError(await post(JSON.stringify({ model: 'mock/echo', messages: [{ role: 'user', content: 'boom [mock:500]' }] })), 502, 'upstream_error');
    await expectError(await post(JSON.stringify({ model: 'mock/echo', messages: [{ role: 'user', content: 'slow [mock:timeout]' }] })), 504, 'headers_timeout');
    await expectServing();
  });

  it("a provider refusing the gateway's own key -> 502, not the caller's 401", async () => {
    const { startOpenAIMockServer } = await import('../src/mock-upstream/openai-server.js');
    const upstream = await startOpenAIMockServer({ apiKey: 'the-right-provider-key' });
    const misconfigured = await startTestGateway({
      server: { apiKeys: [KEY] },
      providers: { openai: { type: 'openai', baseURL: upstream.url, apiKey: 'a-wrong-provider-key', retries: 0 } },
    });
    try {
      const response = await fetch(`${misconfigured.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      const body = await expectError(response, 502, 'upstream_error');
      expect(body.error.message).toContain('openai');
      expect(body.error.message).not.toContain('a-wrong-provider-key');
    } finally {
      await misconfigured.stop();
      await upstream.close();
    }
  });

  it('model names that are Object members are unknown models, and the server carries on', async () => {
    for (const model of ['constructor/x', '__proto__/x', 'toString']) {
      await expectError(await post(JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] })), 404, 'model_not_found');
    }
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/api/stats`)).status).toBe(200);
    await expectServing();
  });

  it('a stream failing before its first part gets a real HTTP status', async () => {
    await expectError(await post(JSON.stringify({ model: 'mock/echo', stream: true, messages: [{ role: 'user', content: 'x [mock:429]' }] })), 429, 'rate_limited');
  });

  it('an unknown route -> 404 in the OpenAI shape', async () => {
    await expectError(await fetch(`${gateway.url}/v1/nothing-here`), 404, 'not_found');
  });

  it('embeddings validate their input', async () => {
    const body = await expectError(await post(JSON.stringify({ model: 'mock/echo', input: 42 }), {}, '/v1/embeddings'), 400, 'invalid_request');
    expect(body.error.param).toBe('input');
  });
});

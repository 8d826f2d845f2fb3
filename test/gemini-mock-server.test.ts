import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGeminiMockServer, type GeminiMockServer } from '../src/mock-upstream/gemini-server.js';

/*
 * The Gemini mock must speak the v1beta wire format byte for byte: raw HTTP
 * requests check the framing (SSE with CRLF, the streamed JSON array), paging,
 * embeddings, key checks and the Google error shape.
 */
const KEY = 'AIza-mock-key';
let server: GeminiMockServer;

beforeAll(async () => {
  server = await startGeminiMockServer({ apiKey: KEY, seed: 7 });
});
afterEach(() => {
  server.configure({ errorRate: 0 });
  server.reset();
});
afterAll(() => server.close());

async function post(path: string, body: unknown, headers: Record<string, string> = { 'x-goog-api-key': KEY }) {
  const response = await request(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

async function get(path: string) {
  const response = await request(`${server.url}${path}`, { headers: { 'x-goog-api-key': KEY } });
  return { status: response.statusCode, json: (await response.body.json()) as Record<string, unknown> };
}

const hello = { contents: [{ role: 'user', parts: [{ text: 'one two three' }] }] };

describe('Gemini mock server wire format', () => {
  it('answers generateContent with a GenerateContentResponse', async () => {
    const response = await post('/models/gemini-2.5-flash:generateContent', hello);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({
      candidates: [{ content: { parts: [{ text: 'one two three' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 3, totalTokenCount: 11, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 8 }] },
      modelVersion: 'gemini-2.5-flash',
      responseId: expect.stringMatching(/^mock-gemini-/),
    });
  });

  it('streams SSE events ending in CRLF CRLF, the last with finishReason and full usage', async () => {
    const response = await post('/models/gemini-2.5-flash:streamGenerateContent?alt=sse', hello);
    expect(response.headers['content-type']).toContain('text/event-stream');
    const events = response.text.split('\r\n\r\n').filter(Boolean);
    expect(events).toHaveLength(3);
    expect(events.every((event) => event.startsWith('data: {'))).toBe(true);
    const chunks = events.map((event) => JSON.parse(event.slice('data: '.length)));
    expect(chunks.map((chunk) => chunk.candidates[0].content.parts[0].text).join('')).toBe('one two three');
    expect(chunks[0].candidates[0].finishReason).toBeUndefined();
    expect(chunks[0].usageMetadata).toEqual({ promptTokenCount: 8, totalTokenCount: 8, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 8 }] });
    expect(chunks[2].candidates[0].finishReason).toBe('STOP');
    expect(chunks[2].usageMetadata.candidatesTokenCount).toBe(3);
  });

  it('without alt=sse streams one JSON array', async () => {
    const response = await post('/models/gemini-2.5-flash:streamGenerateContent', hello);
    expect(response.headers['content-type']).toContain('application/json');
    const chunks = JSON.parse(response.text) as Array<{ candidates: Array<{ content: { parts: Array<{ text: string }> } }> }>;
    expect(chunks.map((chunk) => chunk.candidates[0].content.parts[0].text).join('')).toBe('one two three');
  });

  it('calls a function in mode ANY with allowedFunctionNames, and never in mode NONE', async () => {
    const tools = [{ functionDeclarations: [{ name: 'search' }, { name: 'lookup' }] }];
    const forced = await post('/models/gemini-2.5-flash:generateContent', {
      ...hello,
      tools,
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['lookup'] } },
    });
    expect(JSON.parse(forced.text).candidates[0]).toMatchObject({
      content: { parts: [{ functionCall: { name: 'lookup', args: { input: 'one two three' } } }] },
      finishReason: 'STOP',
    });
    const refused = await post('/models/gemini-2.5-flash:generateContent', {
      contents: [{ role: 'user', parts: [{ text: 'please [tool]' }] }],
      tools,
      toolConfig: { functionCallingConfig: { mode: 'NONE' } },
    });
    expect(JSON.parse(refused.text).candidates[0].content.parts).toEqual([{ text: 'please [tool]' }]);
  });

  it('pages GET models with pageSize and pageToken, and serves one model', async () => {
    const first = await get('/models?pageSize=2');
    expect((first.json.models as Array<{ name: string }>).map((model) => model.name)).toEqual(['models/gemini-2.5-flash', 'models/gemini-2.5-pro']);
    expect(first.json.nextPageToken).toBe('page-2');
    const second = await get(`/models?pageSize=2&pageToken=${String(first.json.nextPageToken)}`);
    expect((second.json.models as unknown[]).length).toBe(2);
    expect(second.json.nextPageToken).toBeUndefined();
    const one = await get('/models/gemini-embedding-001');
    expect(one.json).toMatchObject({ name: 'models/gemini-embedding-001', supportedGenerationMethods: ['embedContent', 'countTokens'] });
    const missing = await get('/models/nope');
    expect(missing).toMatchObject({ status: 404, json: { error: { code: 404, status: 'NOT_FOUND' } } });
  });

  it('embeds with embedContent and batchEmbedContents consistently, and counts tokens', async () => {
    const single = JSON.parse((await post('/models/gemini-embedding-001:embedContent', { content: { parts: [{ text: 'x' }] } })).text);
    const batch = JSON.parse(
      (await post('/models/gemini-embedding-001:batchEmbedContents', {
        requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'x' }] } }],
      })).text,
    );
    expect(single.embedding.values).toHaveLength(8);
    expect(batch.embeddings[0].values).toEqual(single.embedding.values);
    expect(JSON.parse((await post('/models/gemini-2.5-flash:countTokens', hello)).text)).toEqual({ totalTokens: 8 });
    const tooMany = await post('/models/gemini-embedding-001:batchEmbedContents', {
      requests: Array.from({ length: 101 }, () => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'x' }] } })),
    });
    expect(tooMany.status).toBe(400);
    expect(JSON.parse(tooMany.text).error.message).toContain('at most 100 requests');
  });

  it('checks the key: none is 403 PERMISSION_DENIED, a wrong one 400 API_KEY_INVALID, ?key= works', async () => {
    const none = await post('/models/gemini-2.5-flash:generateContent', hello, {});
    expect(none.status).toBe(403);
    expect(JSON.parse(none.text).error.status).toBe('PERMISSION_DENIED');
    const wrong = await post('/models/gemini-2.5-flash:generateContent', hello, { 'x-goog-api-key': 'AIza-bad' });
    expect(wrong.status).toBe(400);
    expect(JSON.parse(wrong.text).error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }, expect.anything()] });
    const query = await post(`/models/gemini-2.5-flash:generateContent?key=${KEY}`, hello, {});
    expect(query.status).toBe(200);
  });

  it('rejects bad requests in the Google error shape', async () => {
    const empty = await post('/models/gemini-2.5-flash:generateContent', { contents: [] });
    expect(empty.status).toBe(400);
    expect(JSON.parse(empty.text).error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    const role = await post('/models/gemini-2.5-flash:generateContent', { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] });
    expect(JSON.parse(role.text).error.message).toBe('Please use a valid role: user, model.');
  });

  it('plays scripts in order, then resumes; a seeded error rate gives the same failures each run', async () => {
    server.enqueue({ status: 429, body: { error: { code: 429, message: 'slow', status: 'RESOURCE_EXHAUSTED' } } });
    expect((await post('/models/gemini-2.5-flash:generateContent', hello)).status).toBe(429);
    expect((await post('/models/gemini-2.5-flash:generateContent', hello)).status).toBe(200);

    const statuses = async (): Promise<number[]> => {
      const seen: number[] = [];
      for (let index = 0; index < 12; index += 1) seen.push((await post('/models/gemini-2.5-flash:generateContent', hello)).status);
      return seen;
    };
    server.configure({ errorRate: 0.5, seed: 42 });
    const first = await statuses();
    server.configure({ seed: 42 });
    expect(await statuses()).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
  });
});

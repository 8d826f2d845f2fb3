import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaMockServer, type OllamaMockServer } from '../src/mock-upstream/ollama-server.js';

/*
 * The Ollama mock must speak Ollama's native API: raw HTTP requests check
 * the NDJSON framing (stream by default, done line last), the JSON answer,
 * /api/tags, /api/embed and the `{ "error": "..." }` shape.
 */
let server: OllamaMockServer;

beforeAll(async () => {
  server = await startOllamaMockServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

async function post(path: string, body: unknown) {
  const response = await request(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

const hello = { model: 'llama3.2', messages: [{ role: 'user', content: 'one two three' }] };

describe('Ollama mock server wire format', () => {
  it('streams NDJSON by default, one line per piece, the done line last with counts', async () => {
    const response = await post('/api/chat', hello);
    expect(response.headers['content-type']).toBe('application/x-ndjson');
    expect(response.text.endsWith('\n')).toBe(true);
    const lines = response.text.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3).map((line) => line.message.content).join('')).toBe('one two three');
    expect(lines.slice(0, 3).every((line) => line.done === false && line.model === 'llama3.2')).toBe(true);
    expect(lines[3]).toEqual({
      model: 'llama3.2',
      created_at: '2023-11-14T22:13:20Z',
      message: { role: 'assistant', content: '' },
      done_reason: 'stop',
      done: true,
      total_duration: 11_000_000,
      load_duration: 1_000_000,
      prompt_eval_count: 8,
      prompt_eval_duration: 800_000,
      eval_count: 3,
      eval_duration: 3_000_000,
    });
  });

  it('answers one JSON document with stream: false', async () => {
    const response = await post('/api/chat', { ...hello, stream: false });
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.text)).toMatchObject({ message: { role: 'assistant', content: 'one two three' }, done: true, done_reason: 'stop', eval_count: 3 });
  });

  it('answers with a tool call carrying object arguments when asked for [tool]', async () => {
    const response = await post('/api/chat', {
      ...hello,
      stream: false,
      messages: [{ role: 'user', content: 'use lookup [tool]' }],
      tools: [{ type: 'function', function: { name: 'search' } }, { type: 'function', function: { name: 'lookup' } }],
    });
    expect(JSON.parse(response.text).message).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [{ function: { index: 0, name: 'lookup', arguments: { input: 'use lookup [tool]' } } }],
    });
  });

  it('lists tags, embeds deterministically, reports a version and that it is running', async () => {
    const tags = (await (await request(`${server.url}/api/tags`)).body.json()) as { models: Array<{ name: string; details: { format: string } }> };
    expect(tags.models.map((model) => model.name)).toEqual(['llama3.2:latest', 'qwen2.5:latest', 'nomic-embed-text:latest']);
    expect(tags.models[0].details.format).toBe('gguf');
    const single = JSON.parse((await post('/api/embed', { model: 'nomic-embed-text', input: 'x' })).text);
    const batch = JSON.parse((await post('/api/embed', { model: 'nomic-embed-text', input: ['y', 'x'] })).text);
    expect(single.embeddings[0]).toHaveLength(8);
    expect(batch.embeddings[1]).toEqual(single.embeddings[0]);
    expect(batch.prompt_eval_count).toBe(2);
    expect(await (await request(`${server.url}/api/version`)).body.json()).toEqual({ version: '0.12.6' });
    expect(await (await request(`${server.url}/`)).body.text()).toBe('Ollama is running');
  });

  it('answers bad requests with { error } and an HTTP status', async () => {
    const missing = await post('/api/chat', { messages: [] });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text)).toEqual({ error: 'model is required' });
    server.configure({ strictModels: true });
    try {
      const unknown = await post('/api/chat', { ...hello, model: 'mistral' });
      expect(unknown.status).toBe(404);
      expect(JSON.parse(unknown.text)).toEqual({ error: 'model "mistral" not found, try pulling it first' });
    } finally {
      server.configure({ strictModels: false });
    }
    const path = await request(`${server.url}/api/nope`);
    expect(path.statusCode).toBe(404);
    await path.body.text();
  });

  it('plays scripts in order, then resumes', async () => {
    server.enqueue({ status: 503, body: { error: 'server busy' } }, { mode: 'malformed-ndjson' });
    expect((await post('/api/chat', hello)).status).toBe(503);
    const broken = await post('/api/chat', hello);
    expect(() => JSON.parse(broken.text.trim())).toThrow();
    expect((await post('/api/chat', hello)).status).toBe(200);
    expect(server.stats.requests).toBe(3);
  });
});

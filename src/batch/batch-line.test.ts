import { describe, expect, it } from 'vitest';
import { parseBatchLine } from './batch-line.js';

const body = { model: 'mock/echo', messages: [{ role: 'user', content: 'hi' }] };
const line = (value: unknown) => JSON.stringify(value);

describe('parseBatchLine', () => {
  it('accepts an OpenAI Batch chat line and keeps the validated body', () => {
    const parsed = parseBatchLine(line({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { ...body, temperature: 0.5 } }), 1);
    expect(parsed).toEqual({ kind: 'request', customId: 'a', body: { ...body, temperature: 0.5 } });
  });

  it('replaces or fills the body model with the override', () => {
    const replaced = parseBatchLine(line({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body }), 1, 'openai/gpt-4o-mini');
    expect(replaced).toMatchObject({ kind: 'request', body: { model: 'openai/gpt-4o-mini' } });
    const filled = parseBatchLine(line({ custom_id: 'b', method: 'POST', url: '/v1/chat/completions', body: { messages: body.messages } }), 2, 'mock/echo');
    expect(filled).toMatchObject({ kind: 'request', body: { model: 'mock/echo' } });
  });

  it('names the line for text that is not JSON or not an object', () => {
    expect(parseBatchLine('{"custom_id": "a",', 7)).toMatchObject({ kind: 'invalid', customId: null, message: expect.stringMatching(/^line 7: not valid JSON/) });
    expect(parseBatchLine('[1, 2]', 8)).toEqual({ kind: 'invalid', customId: null, param: null, message: 'line 8: must be a JSON object' });
  });

  it('names the line and the field at fault, keeping a usable custom_id', () => {
    const noModel = parseBatchLine(line({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { messages: body.messages } }), 3);
    expect(noModel).toMatchObject({ kind: 'invalid', customId: 'a', param: 'body.model', message: expect.stringMatching(/^line 3: body\.model: /) });
    const badRole = parseBatchLine(line({ custom_id: 'b', method: 'POST', url: '/v1/chat/completions', body: { ...body, messages: [{ role: 'robot', content: 'x' }] } }), 4);
    expect(badRole).toMatchObject({ kind: 'invalid', customId: 'b', param: 'body.messages.0.role' });
    const wrongUrl = parseBatchLine(line({ custom_id: 'c', method: 'POST', url: '/v1/embeddings', body }), 5);
    expect(wrongUrl).toMatchObject({ kind: 'invalid', customId: 'c', param: 'url', message: expect.stringContaining('/v1/chat/completions') });
    const noId = parseBatchLine(line({ method: 'GET', url: '/v1/chat/completions', body }), 6);
    expect(noId).toMatchObject({ kind: 'invalid', customId: null, param: 'custom_id', message: expect.stringContaining('method') });
  });
});

import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicMockServer, type AnthropicMockServer } from '../src/mock-upstream/anthropic-server.js';
import { startTestGateway, type TestGateway } from './gateway-support.js';

// Claude's extended thinking through the Responses API: thinking blocks become reasoning items (text as the summary,
// the signature as encrypted_content), streamed as reasoning summary events, and replayed to Claude in history.
let anthropic: AnthropicMockServer;
let gateway: TestGateway;
let client: OpenAI;

const CLAUDE = 'anthropic/claude-sonnet-4-5';
const SSE = { 'content-type': 'text/event-stream' };
const sse = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

beforeAll(async () => {
  anthropic = await startAnthropicMockServer({ apiKey: 'anthropic-upstream-key' });
  gateway = await startTestGateway({ providers: { anthropic: { baseURL: anthropic.url, apiKey: 'anthropic-upstream-key', retries: 0 } } });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  await anthropic?.close();
});

describe('reasoning through the Responses API', () => {
  it('returns thinking as a reasoning item and replays it, signature included, by previous_response_id', async () => {
    anthropic.enqueue({
      status: 200,
      body: {
        id: 'msg_thinking_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [
          { type: 'thinking', thinking: 'The user wants a number.', signature: 'sig-one' },
          { type: 'text', text: 'Forty-two.' },
        ],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 30 },
      },
    });
    const first = await client.responses.create({ model: CLAUDE, input: 'pick a number', reasoning: { effort: 'medium' }, max_output_tokens: 16000 });
    expect(anthropic.lastRequest()?.body).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 8192 } });
    expect(first.output[0]).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'The user wants a number.' }], encrypted_content: 'sig-one' });
    expect(first.output_text).toBe('Forty-two.');
    expect(first.usage).toMatchObject({ input_tokens: 12, output_tokens: 30 });

    await client.responses.create({ model: CLAUDE, input: 'why?', previous_response_id: first.id, reasoning: { effort: 'medium' }, max_output_tokens: 16000 });
    expect((anthropic.lastRequest()?.body as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: 'pick a number' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'The user wants a number.', signature: 'sig-one' }, { type: 'text', text: 'Forty-two.' }] },
      { role: 'user', content: 'why?' },
    ]);
  });

  it('streams thinking as reasoning summary events before the text', async () => {
    anthropic.enqueue({
      status: 200,
      headers: SSE,
      body:
        sse('message_start', { message: { id: 'msg_thinking_2', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 9, output_tokens: 1 } } }) +
        sse('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }) +
        sse('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'Weighing ' } }) +
        sse('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'options.' } }) +
        sse('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'sig-two' } }) +
        sse('content_block_stop', { index: 0 }) +
        sse('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }) +
        sse('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'Blue.' } }) +
        sse('content_block_stop', { index: 1 }) +
        sse('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 20 } }) +
        sse('message_stop', {}),
    });
    const stream = client.responses.stream({ model: CLAUDE, input: 'pick a colour', reasoning: { effort: 'low' }, max_output_tokens: 4000 });
    const types: string[] = [];
    const reasoning: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.reasoning_summary_text.delta') reasoning.push(event.delta);
    }
    const final = await stream.finalResponse();
    expect(reasoning.join('')).toBe('Weighing options.');
    expect(types.indexOf('response.reasoning_summary_text.delta')).toBeLessThan(types.indexOf('response.output_text.delta'));
    expect(final.output[0]).toMatchObject({ type: 'reasoning', summary: [{ text: 'Weighing options.' }], encrypted_content: 'sig-two' });
    expect(final.output_text).toBe('Blue.');
  });
});

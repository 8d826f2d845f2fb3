import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { startTestGateway, type TestGateway } from './gateway-support.js';

/*
 * A stream says who answers in its first part, and the gateway sends its
 * headers from that part: as soon as the upstream has answered, before the
 * upstream's first chunk. With chunks a long way apart, the client has the
 * headers (provider, model, cache status) and the first SSE event while the
 * upstream has written no chunk yet; nothing here depends on a duration.
 * (On a same-wire passthrough the first event is the upstream's own, so the
 * first byte leaves with the upstream's first chunk, as a piping proxy's does.)
 */

let upstream: OpenAIMockServer;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startOpenAIMockServer({ reply: 'slow', streamChunkDelayMs: 1000 });
  gateway = await startTestGateway({ providers: { openai: { type: 'openai', baseURL: upstream.url, apiKey: 'sk-test' } } });
});
afterAll(async () => {
  await gateway.stop();
  await upstream.close();
});

describe('the first byte of a stream', () => {
  it('reaches the client with the stream-start headers before the upstream has sent any chunk', async () => {
    // The Anthropic wire in front of an OpenAI upstream: the gateway writes the stream's events itself.
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-provider')).toBe('openai');
    expect(response.headers.get('x-switchyard-model')).toBe('openai/gpt-4o-mini');
    expect(response.headers.get('x-switchyard-cache')).toBe('bypass');
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: message_start');
    // The upstream is still waiting to send its first chunk.
    expect(upstream.stats.bytesWritten).toBe(0);
    let rest = first;
    for (let step = await reader.read(); !step.done; step = await reader.read()) rest += new TextDecoder().decode(step.value);
    expect(rest).toContain('event: message_stop');
    expect(upstream.stats.bytesWritten).toBeGreaterThan(0);
  });
});

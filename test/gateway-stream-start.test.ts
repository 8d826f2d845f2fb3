import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import { startTestGateway, type TestGateway } from './gateway-support.js';

/*
 * A stream says who answers in its first part, and the gateway sends its
 * headers from that part. The stream commits to its upstream at the
 * upstream's first content, not at its 2xx: until then a fault can still be
 * retried or fall back to a route's next model with nothing sent (see
 * upstream-stream-faults.test.ts). So the headers and the first events leave
 * with the upstream's first content chunk, not before it and not after: with
 * chunks a long way apart, the client has them while the upstream has
 * written its role chunk and first content and is still to write the rest.
 * Nothing here depends on a duration.
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
  it('reaches the client with the stream-start headers and the upstream first content, before the rest of the answer', async () => {
    // The Anthropic wire in front of an OpenAI upstream: the gateway writes the stream's events itself.
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(response.status).toBe(200);
    // Headers are sent only once the upstream's first content arrived.
    const writtenAtHeaders = upstream.stats.bytesWritten;
    expect(writtenAtHeaders).toBeGreaterThan(0);
    expect(response.headers.get('x-switchyard-provider')).toBe('openai');
    expect(response.headers.get('x-switchyard-model')).toBe('openai/gpt-4o-mini');
    expect(response.headers.get('x-switchyard-cache')).toBe('bypass');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = decoder.decode((await reader.read()).value);
    expect(received).toContain('event: message_start');
    // The upstream has more to write (finish, usage, [DONE], a second apart): the gateway did not wait for them.
    for (let step = await reader.read(); !step.done; step = await reader.read()) received += decoder.decode(step.value);
    expect(received).toContain('"text":"slow"');
    expect(received).toContain('event: message_stop');
    expect(upstream.stats.bytesWritten).toBeGreaterThan(writtenAtHeaders);
  });
});

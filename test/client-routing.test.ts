import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIMockServer, type OpenAIMockServer } from '../src/mock-upstream/openai-server.js';
import type { FallbackEvent, RetryEvent } from '../src/observability/events.js';
import { createTestClient, fakeOpenAIProvider } from './support/client.js';

let primary: OpenAIMockServer;
let backup: OpenAIMockServer;

beforeAll(async () => {
  primary = await startOpenAIMockServer({ reply: 'from primary' });
  backup = await startOpenAIMockServer({ reply: 'from backup' });
});
afterAll(async () => {
  await Promise.all([primary.close(), backup.close()]);
});
afterEach(() => {
  primary.reset();
  backup.reset();
  primary.configure({ reply: 'from primary', onRequest: undefined });
});

const unavailable = () => ({ status: 503, body: { error: { message: 'overloaded', type: 'server_error', code: null, param: null } } });

function routedClient(retries: number) {
  return createTestClient({
    providers: {
      primary: fakeOpenAIProvider(primary.url, { retries }),
      backup: fakeOpenAIProvider(backup.url, { retries }),
    },
    routes: { smart: ['primary/gpt-4o-mini', 'backup/gpt-4o-mini'] },
  });
}

describe('routes and retries through the client', () => {
  it('answers from the second model when the first returns 503, and says which model answered', async () => {
    primary.configure({ onRequest: unavailable });
    const ai = routedClient(0);
    const fallbacks: FallbackEvent[] = [];
    ai.on('fallback', (event) => fallbacks.push(event));
    const response = await ai.chat({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.content).toBe('from backup');
    expect(response.model).toBe('backup/gpt-4o-mini');
    expect(response.provider).toBe('backup');
    expect(primary.stats.requests).toBe(1);
    expect(fallbacks).toMatchObject([{ route: 'smart', from: 'primary/gpt-4o-mini', to: 'backup/gpt-4o-mini', code: 'upstream_unavailable' }]);
    await ai.close();
  });

  it('retries a member as configured before falling back', async () => {
    primary.configure({ onRequest: unavailable });
    const ai = routedClient(2);
    const retries: RetryEvent[] = [];
    ai.on('retry', (event) => retries.push(event));
    const response = await ai.chat({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.model).toBe('backup/gpt-4o-mini');
    expect(primary.stats.requests).toBe(3);
    expect(retries.map((event) => event.attempt)).toEqual([2, 3]);
    await ai.close();
  }, 20_000);

  it('neither retries nor falls back on a 400', async () => {
    primary.configure({ onRequest: () => ({ status: 400, body: { error: { message: 'bad temperature', type: 'invalid_request_error', code: null, param: 'temperature' } } }) });
    const ai = routedClient(3);
    await expect(ai.chat({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ code: 'invalid_request', status: 400 });
    expect(primary.stats.requests).toBe(1);
    expect(backup.stats.requests).toBe(0);
    await ai.close();
  });

  it('falls back when a stream fails before its first part, and streams the backup', async () => {
    primary.configure({ onRequest: unavailable });
    const ai = routedClient(0);
    let text = '';
    let finish: unknown;
    for await (const part of ai.stream({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] })) {
      if (part.type === 'text-delta') text += part.text;
      if (part.type === 'finish') finish = part;
    }
    expect(text).toBe('from backup');
    expect(finish).toMatchObject({ model: 'backup/gpt-4o-mini', provider: 'backup', cache: 'bypass', finishReason: 'stop' });
    await ai.close();
  });

  it('rejects an unknown provider with model_not_found before any call', async () => {
    const ai = routedClient(0);
    await expect(ai.chat({ model: 'nowhere/x', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ code: 'model_not_found' });
    await ai.close();
  });
});

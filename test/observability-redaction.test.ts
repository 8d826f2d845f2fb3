// Production logs keep prompts and API keys out: a marked prompt and key go through the
// logger and the tracker the way a request and an upstream error carrying them would, and
// the captured log lines are searched for both.
import { describe, expect, it } from 'vitest';
import { createMemoryDestination, createObservability, type Observability } from '../src/observability/index.js';
import { SwitchyardError } from '../src/spec/index.js';

const PROMPT = 'PROMPT-MARKER-7f3a9c tell me the launch codes';
const KEY = 'sk-proj-KEYMARKER4d2e8b1c9a7f';
const OTHER_KEY = 'plainkey-KEYMARKER2-no-known-shape';

async function sendThrough(observability: Observability): Promise<void> {
  const { logger, tracker } = observability;
  // A request as the gateway or client would see it.
  logger.child({ requestId: 'r1', apiKey: OTHER_KEY }).warn(
    {
      request: {
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: PROMPT }],
        headers: { authorization: `Bearer ${KEY}`, 'x-api-key': OTHER_KEY, 'content-type': 'application/json' },
        settings: { api_key: OTHER_KEY, openaiApiKey: OTHER_KEY, OPENAI_API_KEY: OTHER_KEY },
        url: `https://example.test/v1/models?key=${OTHER_KEY}`,
      },
    },
    `calling upstream with Bearer ${KEY}`,
  );
  // An upstream error whose message echoes the prompt and the key, wrapped as the client would.
  const upstream = new SwitchyardError({
    code: 'upstream_error',
    message: `Upstream rejected "${PROMPT}" sent with key ${KEY}`,
    provider: 'openai',
    status: 400,
    cause: new Error(`body: {"messages":[{"content":"${PROMPT}"}],"api_key":"${OTHER_KEY}"}`),
  });
  await expect(
    tracker.track('request', { requestId: 'r1', operation: 'chat', model: 'openai/gpt-4o-mini', provider: 'openai' }, async (request) => {
      request.logger.warn({ prompt: PROMPT, input: [PROMPT] }, 'about to call upstream');
      await tracker.track('upstream', { requestId: 'r1', provider: 'openai', model: 'openai/gpt-4o-mini', operation: 'generate' }, () => {
        throw upstream;
      }, { parent: request });
    }),
  ).rejects.toBe(upstream);
  logger.error(upstream);
  logger.error({ err: new Error(`plain error with ${PROMPT} and ${KEY}`) });
  logger.warn({ error: upstream, text: PROMPT }, 'request failed');
}

describe('log redaction', () => {
  it('keeps prompt text and API keys out of production logs', async () => {
    for (const logLevel of [undefined, 'trace'] as const) {
      const destination = createMemoryDestination();
      const observability = createObservability({ profile: 'production', logLevel, logDestination: destination });
      await sendThrough(observability);
      await observability.close();
      const log = destination.lines.join('\n');
      expect(destination.lines.length).toBe(logLevel === undefined ? 6 : 7);
      expect(log).not.toContain('PROMPT-MARKER');
      expect(log).not.toContain('launch codes');
      expect(log).not.toContain('KEYMARKER');
      // What stays: codes, status, provider and the redaction marks themselves.
      expect(log).toContain('"code":"upstream_error"');
      expect(log).toContain('"status":400');
      expect(log).toContain('[redacted]');
      expect(log).toContain('[content omitted]');
      expect(destination.records().find((record) => record.msg === 'request failed' && record.requestId === 'r1')).toBeDefined();
    }
  });

  it('logs content in development but still never a key', async () => {
    const destination = createMemoryDestination();
    const observability = createObservability({ profile: 'development', logDestination: destination });
    await sendThrough(observability);
    await observability.close();
    const log = destination.lines.join('\n');
    expect(log).toContain('PROMPT-MARKER');
    expect(log).not.toContain('KEYMARKER');
  });

  it('honours includeContent over the profile default', async () => {
    const destination = createMemoryDestination();
    const observability = createObservability({ profile: 'development', includeContent: false, logDestination: destination });
    await sendThrough(observability);
    await observability.close();
    expect(destination.lines.length).toBeGreaterThan(0);
    expect(destination.lines.join('\n')).not.toContain('PROMPT-MARKER');
  });
});

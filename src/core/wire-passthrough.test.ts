import { describe, expect, it } from 'vitest';
import type { DriverCallOptions } from '../spec/driver.js';
import { SwitchyardError } from '../spec/errors.js';
import { passthroughBody, passthroughFormat, refuseForeignExtras, withProviderOptions } from './wire-passthrough.js';

const call = (extra: Partial<DriverCallOptions> = {}): DriverCallOptions => ({ modelId: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra });
const wireRequest = {
  format: 'openai-chat' as const,
  body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, logprobs: true },
  extras: { logprobs: true },
};

describe('same-wire passthrough', () => {
  it('passes a call through only to a driver that speaks its format', () => {
    expect(passthroughFormat(call({ wireRequest }), ['openai-chat'])).toBe('openai-chat');
    expect(passthroughFormat(call({ wireRequest }), ['anthropic-messages'])).toBeUndefined();
    expect(passthroughFormat(call(), ['openai-chat'])).toBeUndefined();
  });

  it('builds the body from the caller\'s: model replaced, stream set, own settings and provider options over it', () => {
    const options = call({ wireRequest, providerOptions: { openai: { seed: 3 }, anthropic: { top_k: 1 } } });
    expect(passthroughBody(options, 'openai', { stream: false })).toEqual({ model: 'gpt-4o-mini', messages: wireRequest.body.messages, logprobs: true, seed: 3 });
    expect(passthroughBody(options, 'openai', { stream: true, set: { stream_options: { include_usage: true } } })).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(wireRequest.body.model).toBe('openai/gpt-4o-mini'); // the caller's body is not changed
    expect(withProviderOptions({ a: 1 }, options, 'gemini')).toEqual({ a: 1 });
  });

  it('refuses the extras of another wire by name, unless the driver handled them', () => {
    const error = (() => {
      try {
        refuseForeignExtras(call({ wireRequest }), 'anthropic');
      } catch (caught) {
        return caught;
      }
    })();
    expect(SwitchyardError.is(error) && [error.code, error.status, error.param, error.provider]).toEqual(['unsupported', 400, 'logprobs', 'anthropic']);
    expect(() => refuseForeignExtras(call({ wireRequest }), 'anthropic', new Set(['logprobs']))).not.toThrow();
    expect(() => refuseForeignExtras(call(), 'anthropic')).not.toThrow();
  });
});

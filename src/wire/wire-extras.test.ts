import { describe, expect, it } from 'vitest';
import { OPENAI_CHAT_FIELDS } from './openai-wire-convert.js';
import { wireRequestOf } from './wire-extras.js';

describe('wireRequestOf', () => {
  it('lists as extras the unmodelled fields whose value changes something', () => {
    const body = { model: 'm', messages: [], temperature: 0, n: 1, logit_bias: {}, metadata: null, frequency_penalty: 0.2, store: true, prediction: { type: 'content' } };
    expect(wireRequestOf('openai-chat', body, OPENAI_CHAT_FIELDS)).toEqual({
      format: 'openai-chat',
      body,
      extras: { store: true, prediction: { type: 'content' } },
    });
  });
});

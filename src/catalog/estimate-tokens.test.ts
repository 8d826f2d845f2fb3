import { describe, expect, it } from 'vitest';
import { estimateTokens } from './estimate-tokens.js';

describe('estimateTokens', () => {
  it('counts text exactly with o200k_base for OpenAI models', () => {
    expect(estimateTokens('hello world', { provider: 'openai', modelId: 'gpt-4o-mini' })).toEqual({ tokens: 2, estimated: false });
  });

  it('marks counts for other providers as estimates', () => {
    expect(estimateTokens('hello world', { provider: 'anthropic', modelId: 'claude-haiku-4-5' })).toEqual({ tokens: 2, estimated: true });
    expect(estimateTokens('hello world', { provider: 'openai', modelId: 'gpt-3.5-turbo' }).estimated).toBe(true);
  });

  it('adds chat framing to messages, and images make it an estimate', () => {
    const model = { provider: 'openai', modelId: 'gpt-4o' };
    const text = estimateTokens('You are helpful.', model).tokens + estimateTokens('Hi there', model).tokens;
    const chat = estimateTokens(
      [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: 'Hi there' },
      ],
      model,
    );
    // 3 per message + the role + 3 to prime the reply.
    expect(chat).toEqual({ tokens: text + 2 * 3 + 2 + 3, estimated: false });
    const withImage = estimateTokens([{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', url: 'https://x/y.png' }] }], model);
    expect(withImage.estimated).toBe(true);
    expect(withImage.tokens).toBeGreaterThan(85);
  });
});

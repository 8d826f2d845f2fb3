import { describe, expect, it } from 'vitest';
import { costOf, pricingFor } from './cost.js';
import { findKnownModel, KNOWN_MODELS } from './known-models.js';

describe('costOf', () => {
  it('prices input and output tokens per million', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 500_000, totalTokens: 1_500_000 };
    expect(costOf(usage, { inputPricePerMillion: 0.15, outputPricePerMillion: 0.6 })).toBe(0.45);
    expect(costOf({ inputTokens: 12, outputTokens: 9, totalTokens: 21 }, pricingFor('openai', 'gpt-4o-mini'))).toBe(0.0000072);
  });

  it('is null for an unknown price and 0 for a free model', () => {
    const usage = { inputTokens: 10, outputTokens: 10, totalTokens: 20 };
    expect(costOf(usage, null)).toBeNull();
    expect(costOf(usage, pricingFor('mock', 'echo'))).toBe(0);
  });
});

describe('known models', () => {
  it('covers the common OpenAI, Anthropic, Gemini and xAI models', () => {
    for (const [provider, modelId] of [
      ['openai', 'gpt-4o-mini'],
      ['openai', 'gpt-4.1'],
      ['anthropic', 'claude-haiku-4-5'],
      ['anthropic', 'claude-sonnet-4-5'],
      ['gemini', 'gemini-2.5-flash'],
      ['xai', 'grok-4'],
    ]) {
      expect(findKnownModel(provider, modelId), `${provider}/${modelId}`).toBeDefined();
    }
    const ids = KNOWN_MODELS.map((model) => `${model.provider}/${model.modelId}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resolves dated snapshots, -latest and models/ prefixes', () => {
    expect(findKnownModel('openai', 'gpt-4o-2024-08-06')?.modelId).toBe('gpt-4o');
    expect(findKnownModel('anthropic', 'claude-sonnet-4-5-20250929')?.modelId).toBe('claude-sonnet-4-5');
    expect(findKnownModel('anthropic', 'claude-sonnet-4-20250514')?.modelId).toBe('claude-sonnet-4-0');
    expect(findKnownModel('anthropic', 'claude-3-5-haiku-latest')?.modelId).toBe('claude-3-5-haiku');
    expect(findKnownModel('gemini', 'models/gemini-2.5-pro')?.modelId).toBe('gemini-2.5-pro');
    expect(findKnownModel('xai', 'grok-4-0709')?.modelId).toBe('grok-4');
    expect(findKnownModel('openai', 'gpt-4o-mini-2024-07-18')?.modelId).toBe('gpt-4o-mini');
  });

  it('does not guess across providers or unknown names', () => {
    expect(findKnownModel('groq', 'gpt-4o')).toBeUndefined();
    expect(findKnownModel('openai', 'gpt-4o-turbo-max')).toBeUndefined();
    expect(pricingFor('ollama', 'llama3.2')).toBeNull();
  });
});

/** What a model can do, as listed in the catalog. */
export type ModelCapability = 'chat' | 'vision' | 'tools' | 'json' | 'reasoning' | 'embeddings';

/** A model the bundled catalog knows: context length, capabilities and list prices (USD per million tokens). */
export interface KnownModel {
  provider: string;
  modelId: string;
  name: string;
  contextLength: number;
  capabilities: ModelCapability[];
  inputPricePerMillion: number;
  outputPricePerMillion: number;
}

const CHAT: ModelCapability[] = ['chat', 'vision', 'tools', 'json'];
const REASONING: ModelCapability[] = ['chat', 'vision', 'tools', 'json', 'reasoning'];

function model(provider: string, modelId: string, name: string, contextLength: number, capabilities: ModelCapability[], input: number, output: number): KnownModel {
  return { provider, modelId, name, contextLength, capabilities, inputPricePerMillion: input, outputPricePerMillion: output };
}

/**
 * Public list prices (standard tier, text tokens, no caching or batch
 * discounts) as published by each provider in 2025. Gemini 2.5 Pro is the
 * up-to-200k-token prompt price. Dated snapshots and `-latest` aliases resolve
 * to these entries (see `findKnownModel`).
 */
export const KNOWN_MODELS: readonly KnownModel[] = [
  // OpenAI
  model('openai', 'gpt-5', 'GPT-5', 400_000, REASONING, 1.25, 10),
  model('openai', 'gpt-5-mini', 'GPT-5 mini', 400_000, REASONING, 0.25, 2),
  model('openai', 'gpt-5-nano', 'GPT-5 nano', 400_000, REASONING, 0.05, 0.4),
  model('openai', 'gpt-4.1', 'GPT-4.1', 1_047_576, CHAT, 2, 8),
  model('openai', 'gpt-4.1-mini', 'GPT-4.1 mini', 1_047_576, CHAT, 0.4, 1.6),
  model('openai', 'gpt-4.1-nano', 'GPT-4.1 nano', 1_047_576, CHAT, 0.1, 0.4),
  model('openai', 'gpt-4o', 'GPT-4o', 128_000, CHAT, 2.5, 10),
  model('openai', 'gpt-4o-mini', 'GPT-4o mini', 128_000, CHAT, 0.15, 0.6),
  model('openai', 'o3', 'o3', 200_000, REASONING, 2, 8),
  model('openai', 'o4-mini', 'o4-mini', 200_000, REASONING, 1.1, 4.4),
  model('openai', 'o3-mini', 'o3-mini', 200_000, ['chat', 'tools', 'json', 'reasoning'], 1.1, 4.4),
  model('openai', 'text-embedding-3-small', 'text-embedding-3-small', 8_191, ['embeddings'], 0.02, 0),
  model('openai', 'text-embedding-3-large', 'text-embedding-3-large', 8_191, ['embeddings'], 0.13, 0),
  // Anthropic
  model('anthropic', 'claude-opus-4-1', 'Claude Opus 4.1', 200_000, REASONING, 15, 75),
  model('anthropic', 'claude-opus-4-0', 'Claude Opus 4', 200_000, REASONING, 15, 75),
  model('anthropic', 'claude-sonnet-4-5', 'Claude Sonnet 4.5', 200_000, REASONING, 3, 15),
  model('anthropic', 'claude-sonnet-4-0', 'Claude Sonnet 4', 200_000, REASONING, 3, 15),
  model('anthropic', 'claude-3-7-sonnet', 'Claude Sonnet 3.7', 200_000, REASONING, 3, 15),
  model('anthropic', 'claude-haiku-4-5', 'Claude Haiku 4.5', 200_000, REASONING, 1, 5),
  model('anthropic', 'claude-3-5-haiku', 'Claude Haiku 3.5', 200_000, CHAT, 0.8, 4),
  // Google Gemini
  model('gemini', 'gemini-2.5-pro', 'Gemini 2.5 Pro', 1_048_576, REASONING, 1.25, 10),
  model('gemini', 'gemini-2.5-flash', 'Gemini 2.5 Flash', 1_048_576, REASONING, 0.3, 2.5),
  model('gemini', 'gemini-2.5-flash-lite', 'Gemini 2.5 Flash-Lite', 1_048_576, REASONING, 0.1, 0.4),
  model('gemini', 'gemini-2.0-flash', 'Gemini 2.0 Flash', 1_048_576, CHAT, 0.1, 0.4),
  model('gemini', 'gemini-2.0-flash-lite', 'Gemini 2.0 Flash-Lite', 1_048_576, CHAT, 0.075, 0.3),
  // xAI
  model('xai', 'grok-4', 'Grok 4', 256_000, REASONING, 3, 15),
  model('xai', 'grok-3', 'Grok 3', 131_072, ['chat', 'tools', 'json'], 3, 15),
  model('xai', 'grok-3-mini', 'Grok 3 Mini', 131_072, ['chat', 'tools', 'json', 'reasoning'], 0.3, 0.5),
  // The built-in mock provider costs nothing.
  model('mock', 'echo', 'Mock echo', 128_000, ['chat', 'tools', 'json'], 0, 0),
];

/**
 * What a provider's batch API charges as a share of the list price: OpenAI's
 * Batch API and Anthropic's Message Batches both cost half.
 */
export const BATCH_PRICE_FACTORS: Readonly<Record<string, number>> = { openai: 0.5, anthropic: 0.5 };

const BY_ID = new Map(KNOWN_MODELS.map((entry) => [`${entry.provider}/${entry.modelId}`, entry]));

/** Aliases providers use for the same model: dated snapshots and `-latest`. */
const ALIASES: ReadonlyArray<[RegExp, string]> = [
  [/-\d{4}-\d{2}-\d{2}$/, ''], // gpt-4o-2024-08-06
  [/-\d{8}$/, ''], // claude-sonnet-4-5-20250929
  [/-latest$/, ''],
  [/-(preview|exp)(-\d{2}-\d{4}|-\d{2}-\d{2})?$/, ''], // gemini-2.5-flash-preview-05-20
  [/-0709$/, ''], // grok-4-0709
];

/**
 * Finds a known model by provider and model id, also under a dated or
 * `-latest` alias (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`); Gemini
 * ids may carry a `models/` prefix. Undefined when unknown.
 */
export function findKnownModel(provider: string, modelId: string): KnownModel | undefined {
  const id = modelId.replace(/^models\//, '');
  const exact = BY_ID.get(`${provider}/${id}`);
  if (exact !== undefined) return exact;
  for (const [pattern, replacement] of ALIASES) {
    if (!pattern.test(id)) continue;
    const found = BY_ID.get(`${provider}/${id.replace(pattern, replacement)}`);
    if (found !== undefined) return found;
  }
  // Anthropic's dated ids for the 4.0 models have no `-0`: claude-sonnet-4-20250514.
  const anthropicFour = /^(claude-(?:opus|sonnet)-4)-\d{8}$/.exec(id);
  if (anthropicFour !== null) return BY_ID.get(`${provider}/${anthropicFour[1]}-0`);
  return undefined;
}

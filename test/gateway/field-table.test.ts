import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicMessagesRequestSchema } from '../../src/wire/anthropic-wire-schemas.js';
import { openAIChatRequestSchema } from '../../src/wire/openai-wire-schemas.js';
import { startUpstreamFleet, type UpstreamFleet } from '../support/upstream-fleet.js';

/*
 * Every request field the gateway accepts on each wire, and what each
 * provider does with it: `forwarded` verbatim (same wire), `mapped` (the
 * upstream received `expect`), `accepted` (the mock: 200) or `refused` (400
 * naming the field and the provider). The schema fields must all have a row:
 * a field added to a wire schema without one fails the first test. README.md
 * ("What maps where") is this table in prose.
 */

type Provider = 'openai' | 'anthropic' | 'gemini' | 'ollama' | 'mock';
type Outcome = 'forwarded' | 'accepted' | { mapped: Record<string, unknown> } | { refused: string };
interface Row {
  /** The field and a value that changes something. */
  field: string;
  value: unknown;
  /** Other fields the row needs (tools for tool_choice...). */
  with?: Record<string, unknown>;
  /** A model per provider, when the default cannot show the mapping. */
  models?: Partial<Record<Provider, string>>;
  outcomes: Record<Provider, Outcome>;
}

const MODELS: Record<Provider, string> = {
  openai: 'openai/gpt-4o-mini',
  anthropic: 'anthropic/claude-haiku-4-5',
  gemini: 'gemini/gemini-2.5-flash',
  ollama: 'ollama/llama3.2',
  mock: 'mock/echo',
};
const PROVIDERS = Object.keys(MODELS) as Provider[];
const SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const OPENAI_TOOLS = [{ type: 'function', function: { name: 'weather', description: 'Weather of a city', parameters: SCHEMA } }];
const ANTHROPIC_TOOLS = [{ name: 'weather', description: 'Weather of a city', input_schema: SCHEMA }];
const same = (outcome: Outcome): Record<Exclude<Provider, 'openai' | 'anthropic'>, Outcome> => ({ gemini: outcome, ollama: outcome, mock: outcome === 'accepted' ? 'accepted' : outcome });
const onlyOpenAI = (field: string): Record<Provider, Outcome> => ({ openai: 'forwarded', anthropic: { refused: field }, ...same({ refused: field }) });
const onlyAnthropic = (field: string): Record<Provider, Outcome> => ({ anthropic: 'forwarded', openai: { refused: field }, ...same({ refused: field }) });
const everywhere = (mapped: Partial<Record<Provider, Record<string, unknown>>>, wire: 'openai' | 'anthropic'): Record<Provider, Outcome> => {
  const outcomes = { mock: 'accepted' } as Record<Provider, Outcome>;
  for (const provider of ['openai', 'anthropic', 'gemini', 'ollama'] as const) outcomes[provider] = provider === wire ? 'forwarded' : { mapped: mapped[provider] ?? {} };
  return outcomes;
};

const OPENAI_ROWS: Row[] = [
  { field: 'model', value: undefined, outcomes: everywhere({}, 'openai') },
  { field: 'messages', value: undefined, outcomes: everywhere({ anthropic: { messages: [{ role: 'user', content: 'row' }] } }, 'openai') },
  // The stream fields are the driver's to set (how it reads the answer): mapped on every provider, even the same wire.
  { field: 'stream', value: false, outcomes: { ...everywhere({}, 'openai'), openai: { mapped: {} } } },
  { field: 'stream_options', value: { include_usage: true }, outcomes: { ...everywhere({}, 'openai'), openai: { mapped: {} } } },
  { field: 'temperature', value: 0.5, outcomes: everywhere({ anthropic: { temperature: 0.5 }, gemini: { generationConfig: { temperature: 0.5 } }, ollama: { options: { temperature: 0.5 } } }, 'openai') },
  { field: 'top_p', value: 0.9, outcomes: everywhere({ anthropic: { top_p: 0.9 }, gemini: { generationConfig: { topP: 0.9 } }, ollama: { options: { top_p: 0.9 } } }, 'openai') },
  { field: 'max_tokens', value: 30, outcomes: everywhere({ anthropic: { max_tokens: 30 }, gemini: { generationConfig: { maxOutputTokens: 30 } }, ollama: { options: { num_predict: 30 } } }, 'openai') },
  { field: 'max_completion_tokens', value: 30, outcomes: everywhere({ anthropic: { max_tokens: 30 }, gemini: { generationConfig: { maxOutputTokens: 30 } }, ollama: { options: { num_predict: 30 } } }, 'openai') },
  { field: 'stop', value: ['END'], outcomes: everywhere({ anthropic: { stop_sequences: ['END'] }, gemini: { generationConfig: { stopSequences: ['END'] } }, ollama: { options: { stop: ['END'] } } }, 'openai') },
  { field: 'seed', value: 7, outcomes: { ...everywhere({ gemini: { generationConfig: { seed: 7 } }, ollama: { options: { seed: 7 } } }, 'openai'), anthropic: { refused: 'seed' } } },
  // Fanned out as n calls on the providers without it.
  { field: 'n', value: 2, outcomes: everywhere({}, 'openai') },
  {
    field: 'tools',
    value: OPENAI_TOOLS,
    outcomes: everywhere(
      { anthropic: { tools: [{ name: 'weather', input_schema: SCHEMA }] }, gemini: { tools: [{ functionDeclarations: [{ name: 'weather' }] }] }, ollama: { tools: [{ function: { name: 'weather' } }] } },
      'openai',
    ),
  },
  {
    field: 'tool_choice',
    value: 'required',
    with: { tools: OPENAI_TOOLS },
    outcomes: everywhere({ anthropic: { tool_choice: { type: 'any' } }, gemini: { toolConfig: { functionCallingConfig: { mode: 'ANY' } } }, ollama: { tools: [{ function: { name: 'weather' } }] } }, 'openai'),
  },
  {
    field: 'parallel_tool_calls',
    value: false,
    with: { tools: OPENAI_TOOLS },
    outcomes: { ...everywhere({ anthropic: { tool_choice: { type: 'auto', disable_parallel_tool_use: true } } }, 'openai'), gemini: { refused: 'parallel_tool_calls' }, ollama: { refused: 'parallel_tool_calls' } },
  },
  {
    field: 'response_format',
    value: { type: 'json_schema', json_schema: { name: 'city', schema: SCHEMA } },
    outcomes: everywhere({ anthropic: { output_config: { format: { type: 'json_schema', schema: SCHEMA } } }, gemini: { generationConfig: { responseMimeType: 'application/json' } }, ollama: { format: SCHEMA } }, 'openai'),
  },
  { field: 'user', value: 'end-user-1', outcomes: { ...everywhere({ anthropic: { metadata: { user_id: 'end-user-1' } } }, 'openai'), gemini: { refused: 'user' }, ollama: { refused: 'user' } } },
  {
    field: 'frequency_penalty',
    value: 0.5,
    outcomes: { ...everywhere({ gemini: { generationConfig: { frequencyPenalty: 0.5 } }, ollama: { options: { frequency_penalty: 0.5 } } }, 'openai'), anthropic: { refused: 'frequency_penalty' } },
  },
  {
    field: 'presence_penalty',
    value: 0.5,
    outcomes: { ...everywhere({ gemini: { generationConfig: { presencePenalty: 0.5 } }, ollama: { options: { presence_penalty: 0.5 } } }, 'openai'), anthropic: { refused: 'presence_penalty' } },
  },
  { field: 'logprobs', value: true, outcomes: { ...everywhere({ gemini: { generationConfig: { responseLogprobs: true } } }, 'openai'), anthropic: { refused: 'logprobs' }, ollama: { refused: 'logprobs' } } },
  {
    field: 'top_logprobs',
    value: 2,
    with: { logprobs: true },
    outcomes: { ...everywhere({ gemini: { generationConfig: { responseLogprobs: true, logprobs: 2 } } }, 'openai'), anthropic: { refused: 'logprobs' }, ollama: { refused: 'logprobs' } },
  },
  {
    field: 'reasoning_effort',
    value: 'low',
    outcomes: everywhere({ anthropic: { thinking: { type: 'enabled', budget_tokens: 2048 } }, gemini: { generationConfig: { thinkingConfig: { thinkingBudget: 2048 } } }, ollama: { think: true } }, 'openai'),
  },
];

/** Values of schema fields that a provider cannot honour although it has the field (more rows of the same fields). */
const OPENAI_VALUE_ROWS: Row[] = [
  // Anthropic's temperature ranges from 0 to 1: refused, never clamped.
  { field: 'temperature', value: 1.5, outcomes: { ...everywhere({ gemini: { generationConfig: { temperature: 1.5 } }, ollama: { options: { temperature: 1.5 } } }, 'openai'), anthropic: { refused: 'temperature' } } },
  // Both sent where the model takes both (Claude 4.0 and 3.x); Opus 4.1, the 4.5 family and later refuse the pair upstream, so it is refused here naming top_p.
  {
    field: 'top_p',
    value: 0.9,
    with: { temperature: 0.5 },
    models: { anthropic: 'anthropic/claude-sonnet-4-0' },
    outcomes: everywhere({ anthropic: { temperature: 0.5, top_p: 0.9 }, gemini: { generationConfig: { temperature: 0.5, topP: 0.9 } }, ollama: { options: { temperature: 0.5, top_p: 0.9 } } }, 'openai'),
  },
  { field: 'top_p', value: 0.9, with: { temperature: 0.5 }, outcomes: { ...everywhere({}, 'openai'), anthropic: { refused: 'top_p' } } },
];

/** OpenAI fields outside the schema: they pass through to OpenAI and are refused elsewhere. */
const OPENAI_EXTRA_ROWS: Row[] = [
  ['logit_bias', { '50256': -100 }],
  ['metadata', { team: 'wire' }],
  ['store', true],
  ['service_tier', 'flex'],
  ['prediction', { type: 'content', content: 'x' }],
  ['modalities', ['text', 'audio']],
  ['verbosity', 'low'],
  ['prompt_cache_key', 'key-1'],
  ['safety_identifier', 'user-hash'],
  ['web_search_options', {}],
].map(([field, value]) => ({ field: field as string, value, outcomes: onlyOpenAI(field as string) }));

const ANTHROPIC_ROWS: Row[] = [
  { field: 'model', value: undefined, outcomes: everywhere({}, 'anthropic') },
  { field: 'max_tokens', value: 30, outcomes: everywhere({ openai: { max_tokens: 30 }, gemini: { generationConfig: { maxOutputTokens: 30 } }, ollama: { options: { num_predict: 30 } } }, 'anthropic') },
  { field: 'messages', value: undefined, outcomes: everywhere({ openai: { messages: [{ role: 'user', content: 'row' }] } }, 'anthropic') },
  {
    field: 'system',
    value: 'be terse',
    outcomes: everywhere(
      {
        openai: { messages: [{ role: 'system', content: 'be terse' }, { role: 'user', content: 'row' }] },
        gemini: { systemInstruction: { parts: [{ text: 'be terse' }] } },
        ollama: { messages: [{ role: 'system', content: 'be terse' }, { role: 'user', content: 'row' }] },
      },
      'anthropic',
    ),
  },
  { field: 'stream', value: false, outcomes: { ...everywhere({}, 'anthropic'), anthropic: { mapped: {} } } },
  { field: 'temperature', value: 0.5, outcomes: everywhere({ openai: { temperature: 0.5 }, gemini: { generationConfig: { temperature: 0.5 } }, ollama: { options: { temperature: 0.5 } } }, 'anthropic') },
  { field: 'top_p', value: 0.9, outcomes: everywhere({ openai: { top_p: 0.9 }, gemini: { generationConfig: { topP: 0.9 } }, ollama: { options: { top_p: 0.9 } } }, 'anthropic') },
  { field: 'top_k', value: 5, outcomes: { ...everywhere({ gemini: { generationConfig: { topK: 5 } }, ollama: { options: { top_k: 5 } } }, 'anthropic'), openai: { refused: 'top_k' } } },
  { field: 'stop_sequences', value: ['END'], outcomes: everywhere({ openai: { stop: ['END'] }, gemini: { generationConfig: { stopSequences: ['END'] } }, ollama: { options: { stop: ['END'] } } }, 'anthropic') },
  {
    field: 'tools',
    value: ANTHROPIC_TOOLS,
    outcomes: everywhere({ openai: { tools: [{ type: 'function', function: { name: 'weather', parameters: SCHEMA } }] }, gemini: { tools: [{ functionDeclarations: [{ name: 'weather' }] }] }, ollama: { tools: [{ function: { name: 'weather' } }] } }, 'anthropic'),
  },
  {
    field: 'tool_choice',
    value: { type: 'any' },
    with: { tools: ANTHROPIC_TOOLS },
    outcomes: everywhere({ openai: { tool_choice: 'required' }, gemini: { toolConfig: { functionCallingConfig: { mode: 'ANY' } } }, ollama: { tools: [{ function: { name: 'weather' } }] } }, 'anthropic'),
  },
  { field: 'metadata', value: { user_id: 'end-user-1' }, outcomes: { ...everywhere({ openai: { user: 'end-user-1' } }, 'anthropic'), gemini: { refused: 'metadata.user_id' }, ollama: { refused: 'metadata.user_id' } } },
  {
    field: 'thinking',
    value: { type: 'enabled', budget_tokens: 2048 },
    models: { openai: 'openai/o4-mini' },
    outcomes: everywhere({ openai: { reasoning_effort: 'low' }, gemini: { generationConfig: { thinkingConfig: { thinkingBudget: 2048 } } }, ollama: { think: true } }, 'anthropic'),
  },
  {
    field: 'output_config',
    value: { format: { type: 'json_schema', schema: SCHEMA } },
    outcomes: everywhere({ openai: { response_format: { type: 'json_schema', json_schema: { schema: SCHEMA } } }, gemini: { generationConfig: { responseMimeType: 'application/json' } }, ollama: { format: SCHEMA } }, 'anthropic'),
  },
];

const ANTHROPIC_EXTRA_ROWS: Row[] = [
  ['service_tier', 'standard_only'],
  ['container', 'container-1'],
  ['mcp_servers', [{ type: 'url', url: 'https://mcp.example.com', name: 'example' }]],
  ['context_management', { edits: [] }],
].map(([field, value]) => ({ field: field as string, value, outcomes: onlyAnthropic(field as string) }));

let fleet: UpstreamFleet;

beforeAll(async () => {
  fleet = await startUpstreamFleet();
});

afterAll(async () => {
  await fleet?.close();
});

const upstreamOf = (provider: Provider) => fleet.upstreamOf(provider);

async function check(wire: 'openai' | 'anthropic', row: Row, provider: Provider): Promise<void> {
  const upstream = upstreamOf(provider);
  upstream?.reset();
  const model = row.models?.[provider] ?? MODELS[provider];
  const base = wire === 'openai' ? { model, messages: [{ role: 'user', content: 'row' }] } : { model, max_tokens: 64, messages: [{ role: 'user', content: 'row' }] };
  const body = { ...base, ...row.with, ...(row.value !== undefined ? { [row.field]: row.value } : {}) };
  const response = await fetch(`${fleet.gateway.url}${wire === 'openai' ? '/v1/chat/completions' : '/v1/messages'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { error?: { message: string; param?: string } };
  const outcome = row.outcomes[provider];
  const label = `${wire} ${row.field} -> ${provider}`;
  if (typeof outcome === 'object' && 'refused' in outcome) {
    expect(response.status, label).toBe(400);
    expect(answer.error?.message, label).toContain(outcome.refused);
    expect(answer.error?.message, label).toContain(`"${provider}"`);
    expect(upstream?.stats.requests ?? 0, label).toBe(0);
    return;
  }
  expect(response.status, `${label}: ${JSON.stringify(answer)}`).toBe(200);
  const sent = upstream?.lastRequest()?.body as Record<string, unknown> | undefined;
  if (outcome === 'forwarded') {
    const { model: _model, ...rest } = body;
    expect(sent, label).toMatchObject(rest);
  } else if (outcome !== 'accepted') {
    expect(sent, label).toMatchObject(outcome.mapped);
  }
}

describe('what each provider does with each wire field', () => {
  it('has a row for every field of both wire schemas', () => {
    expect(OPENAI_ROWS.map((row) => row.field).sort()).toEqual(Object.keys(openAIChatRequestSchema.shape).sort());
    expect(ANTHROPIC_ROWS.map((row) => row.field).sort()).toEqual(Object.keys(anthropicMessagesRequestSchema.shape).sort());
  });

  for (const [wire, rows] of [
    ['openai', [...OPENAI_ROWS, ...OPENAI_VALUE_ROWS, ...OPENAI_EXTRA_ROWS]],
    ['anthropic', [...ANTHROPIC_ROWS, ...ANTHROPIC_EXTRA_ROWS]],
  ] as const) {
    it(`${wire} wire: forwarded, mapped or refused by name on every provider`, async () => {
      for (const row of rows) for (const provider of PROVIDERS) await check(wire, row, provider);
    });
  }
});

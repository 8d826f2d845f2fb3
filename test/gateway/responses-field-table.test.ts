import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESPONSES_FIELD_RULES } from '../../src/wire/openai-responses-fields.js';
import { responsesRequestSchema } from '../../src/wire/openai-responses-schemas.js';
import { startUpstreamFleet, type UpstreamFleet } from '../support/upstream-fleet.js';

/*
 * Every field of POST /v1/responses, and what each provider does with it:
 * `forwarded` verbatim (OpenAI: the Responses API natively), `mapped` (the
 * upstream received `expect`), `accepted` (the mock, or a field the gateway
 * honours itself: 200) or `refused` (400 naming the field and the provider,
 * nothing sent upstream). A field of the schema or of the conversion's field
 * table without a row fails the first test. README.md's Responses rows are
 * this table in prose. `previous_response_id` needs a stored response: see
 * gateway-responses-sdk/native.test.ts.
 */

type Provider = 'openai' | 'anthropic' | 'gemini' | 'ollama' | 'mock';
type Outcome = 'forwarded' | 'accepted' | { mapped: Record<string, unknown> } | { refused: string };
interface Row {
  field: string;
  value: unknown;
  with?: Record<string, unknown>;
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
const TOOLS = [{ type: 'function', name: 'weather', description: 'Weather of a city', parameters: SCHEMA }];

/** Forwarded to OpenAI; elsewhere `mapped` per provider (the mock accepts), or the given outcome. */
function rows(mapped: Partial<Record<Exclude<Provider, 'openai'>, Outcome | Record<string, unknown>>>): Record<Provider, Outcome> {
  const outcome = (provider: Exclude<Provider, 'openai'>): Outcome => {
    const given = mapped[provider];
    if (given === undefined) return provider === 'mock' ? 'accepted' : { mapped: {} };
    return typeof given === 'string' || 'refused' in given || 'mapped' in given ? (given as Outcome) : { mapped: given };
  };
  return { openai: 'forwarded', anthropic: outcome('anthropic'), gemini: outcome('gemini'), ollama: outcome('ollama'), mock: outcome('mock') };
}
const onlyOpenAI = (field: string) => rows({ anthropic: { refused: field }, gemini: { refused: field }, ollama: { refused: field }, mock: { refused: field } });
const gatewayOnly = () => rows({ anthropic: 'accepted', gemini: 'accepted', ollama: 'accepted' });

const RESPONSES_ROWS: Row[] = [
  { field: 'model', value: undefined, outcomes: rows({}) },
  { field: 'input', value: undefined, outcomes: rows({ anthropic: { messages: [{ role: 'user', content: 'row' }] }, ollama: { messages: [{ role: 'user', content: 'row' }] } }) },
  {
    field: 'instructions',
    value: 'be terse',
    outcomes: rows({ anthropic: { system: 'be terse' }, gemini: { systemInstruction: { parts: [{ text: 'be terse' }] } }, ollama: { messages: [{ role: 'system', content: 'be terse' }, { role: 'user', content: 'row' }] } }),
  },
  { field: 'stream', value: false, outcomes: { ...rows({}), openai: { mapped: {} } } },
  { field: 'store', value: false, outcomes: gatewayOnly() },
  { field: 'metadata', value: { run: 'table' }, outcomes: gatewayOnly() },
  { field: 'temperature', value: 0.5, outcomes: rows({ anthropic: { temperature: 0.5 }, gemini: { generationConfig: { temperature: 0.5 } }, ollama: { options: { temperature: 0.5 } } }) },
  { field: 'top_p', value: 0.9, outcomes: rows({ anthropic: { top_p: 0.9 }, gemini: { generationConfig: { topP: 0.9 } }, ollama: { options: { top_p: 0.9 } } }) },
  { field: 'max_output_tokens', value: 30, outcomes: rows({ anthropic: { max_tokens: 30 }, gemini: { generationConfig: { maxOutputTokens: 30 } }, ollama: { options: { num_predict: 30 } } }) },
  {
    field: 'tools',
    value: TOOLS,
    outcomes: rows({ anthropic: { tools: [{ name: 'weather', input_schema: SCHEMA }] }, gemini: { tools: [{ functionDeclarations: [{ name: 'weather' }] }] }, ollama: { tools: [{ function: { name: 'weather' } }] } }),
  },
  {
    field: 'tool_choice',
    value: 'required',
    with: { tools: TOOLS },
    outcomes: rows({ anthropic: { tool_choice: { type: 'any' } }, gemini: { toolConfig: { functionCallingConfig: { mode: 'ANY' } } }, ollama: { tools: [{ function: { name: 'weather' } }] } }),
  },
  {
    field: 'parallel_tool_calls',
    value: false,
    with: { tools: TOOLS },
    outcomes: rows({ anthropic: { tool_choice: { type: 'auto', disable_parallel_tool_use: true } }, gemini: { refused: 'parallel_tool_calls' }, ollama: { refused: 'parallel_tool_calls' } }),
  },
  {
    field: 'text',
    value: { format: { type: 'json_schema', name: 'city', schema: SCHEMA } },
    outcomes: rows({ anthropic: { output_config: { format: { type: 'json_schema', schema: SCHEMA } } }, gemini: { generationConfig: { responseMimeType: 'application/json' } }, ollama: { format: SCHEMA } }),
  },
  { field: 'user', value: 'end-user-1', outcomes: rows({ anthropic: { metadata: { user_id: 'end-user-1' } }, gemini: { refused: 'user' }, ollama: { refused: 'user' } }) },
  {
    field: 'reasoning',
    value: { effort: 'low' },
    outcomes: rows({ anthropic: { thinking: { type: 'enabled', budget_tokens: 2048 } }, gemini: { generationConfig: { thinkingConfig: { thinkingBudget: 2048 } } }, ollama: { think: true } }),
  },
  {
    field: 'top_logprobs',
    value: 2,
    outcomes: rows({ anthropic: { refused: 'top_logprobs' }, gemini: { generationConfig: { responseLogprobs: true, logprobs: 2 } }, ollama: { refused: 'top_logprobs' } }),
  },
  {
    field: 'include',
    value: ['message.output_text.logprobs'],
    outcomes: rows({ anthropic: { refused: 'top_logprobs' }, gemini: { generationConfig: { responseLogprobs: true } }, ollama: { refused: 'top_logprobs' } }),
  },
  { field: 'stream_options', value: { include_obfuscation: true }, outcomes: onlyOpenAI('stream_options') },
  { field: 'truncation', value: 'auto', outcomes: onlyOpenAI('truncation') },
  { field: 'background', value: true, outcomes: onlyOpenAI('background') },
  { field: 'service_tier', value: 'flex', outcomes: onlyOpenAI('service_tier') },
  ...(
    [
      ['prompt', { id: 'pmpt_1' }],
      ['prompt_cache_key', 'key-1'],
      ['prompt_cache_retention', '24h'],
      ['prompt_cache_options', { mode: 'auto' }],
      ['safety_identifier', 'user-hash'],
      ['conversation', 'conv_1'],
      ['context_management', [{ type: 'compaction' }]],
      ['moderation', { mode: 'strict' }],
      ['max_tool_calls', 3],
    ] as const
  ).map(([field, value]) => ({ field, value, outcomes: onlyOpenAI(field) })),
];

let fleet: UpstreamFleet;

beforeAll(async () => {
  fleet = await startUpstreamFleet();
});

afterAll(async () => {
  await fleet?.close();
});

async function check(row: Row, provider: Provider): Promise<void> {
  const upstream = fleet.upstreamOf(provider);
  upstream?.reset();
  const body = { model: MODELS[provider], input: 'row', ...row.with, ...(row.value !== undefined ? { [row.field]: row.value } : {}) };
  const response = await fetch(`${fleet.gateway.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json()) as { error?: { message: string; param?: string } };
  const outcome = row.outcomes[provider];
  const label = `${row.field} -> ${provider}`;
  if (typeof outcome === 'object' && 'refused' in outcome) {
    expect(response.status, label).toBe(400);
    expect(answer.error?.param, label).toBe(outcome.refused);
    expect(answer.error?.message, label).toContain(`"${provider}"`);
    expect(upstream?.stats.requests ?? 0, label).toBe(0);
    return;
  }
  expect(response.status, `${label}: ${JSON.stringify(answer)}`).toBe(200);
  const sent = upstream?.lastRequest()?.body as Record<string, unknown> | undefined;
  if (outcome === 'forwarded') {
    expect(upstream?.lastRequest()?.path, label).toBe('/v1/responses');
    expect(sent, label).toEqual({ ...body, model: MODELS.openai.slice('openai/'.length) });
  } else if (outcome !== 'accepted') {
    expect(sent, label).toMatchObject(outcome.mapped);
  }
}

describe('POST /v1/responses: every field on every provider', () => {
  it('has a row for every field the schema or the conversion table names', () => {
    const covered = new Set(RESPONSES_ROWS.map((row) => row.field));
    const named = new Set([...Object.keys(responsesRequestSchema.shape), ...Object.keys(RESPONSES_FIELD_RULES)]);
    named.delete('previous_response_id');
    expect([...named].filter((field) => !covered.has(field))).toEqual([]);
  });

  it.each(RESPONSES_ROWS.map((row) => [row.field, row] as const))('%s', async (_field, row) => {
    for (const provider of PROVIDERS) await check(row, provider);
  });
});

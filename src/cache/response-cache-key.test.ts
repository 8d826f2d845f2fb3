import { describe, expect, it } from 'vitest';
import type { GenerationSettings } from '../spec/request.js';
import { canonicalJson } from './canonical-json.js';
import { canonicalResponseRequest, responseCacheKey, type ResponseCacheKeyInput } from './response-cache-key.js';

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } }, required: ['city'] },
};

function input(settings: Partial<GenerationSettings> = {}, extra: Partial<ResponseCacheKeyInput> = {}): ResponseCacheKeyInput {
  return {
    provider: 'openai',
    modelId: 'gpt-4o-mini',
    settings: {
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Weather in Paris?' },
      ],
      temperature: 0,
      ...settings,
    },
    ...extra,
  };
}

describe('responseCacheKey', () => {
  it('differs by tool choice alone, with the same tools', () => {
    const keys = (['auto', 'required', 'none', { name: 'get_weather' }] as const).map((toolChoice) => responseCacheKey(input({ tools: [weatherTool], toolChoice })));
    expect(new Set(keys).size).toBe(4);
    expect(responseCacheKey(input({ tools: [weatherTool] }))).toBe(keys[0]);
  });

  it('is a namespaced SHA-256 and stable', () => {
    const key = responseCacheKey(input());
    expect(key).toMatch(/^response:[0-9a-f]{64}$/);
    expect(responseCacheKey(input())).toBe(key);
  });

  it.each<[string, ResponseCacheKeyInput]>([
    ['system prompt', input({ messages: [{ role: 'system', content: 'You are verbose.' }, { role: 'user', content: 'Weather in Paris?' }] })],
    ['tools', input({ tools: [weatherTool] })],
    ['tool choice', input({ tools: [weatherTool], toolChoice: 'required' })],
    ['tenant', input({}, { tenant: 'acme' })],
    ['provider', input({}, { provider: 'azure' })],
    ['model', input({}, { modelId: 'gpt-4o' })],
    ['temperature', input({ temperature: 0.2 })],
    ['top_p', input({ topP: 0.5 })],
    ['max tokens', input({ maxTokens: 10 })],
    ['stop', input({ stop: ['\n'] })],
    ['seed', input({ seed: 7 })],
    ['response format', input({ responseFormat: { type: 'json' } })],
    ['a tool result', input({ messages: [{ role: 'user', content: 'x' }, { role: 'tool', content: '21C', toolCallId: 'call_1' }] })],
  ])('changes when only the %s changes', (_label, changed) => {
    expect(responseCacheKey(changed)).not.toBe(responseCacheKey(input()));
  });

  it('differs between tool choices and between tool-call ids', () => {
    const named = responseCacheKey(input({ tools: [weatherTool], toolChoice: { name: 'get_weather' } }));
    const none = responseCacheKey(input({ tools: [weatherTool], toolChoice: 'none' }));
    expect(named).not.toBe(none);
    const call = (id: string) =>
      input({ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: null, toolCalls: [{ id, name: 'f', arguments: '{}' }] }] });
    expect(responseCacheKey(call('a'))).not.toBe(responseCacheKey(call('b')));
  });

  it('ignores JSON key order, in the request and inside tool schemas', () => {
    const reordered = JSON.parse(
      '{"modelId":"gpt-4o-mini","settings":{"temperature":0,"tools":[{"parameters":{"required":["city"],"properties":{"unit":{"type":"string"},"city":{"type":"string"}},"type":"object"},"description":"Weather for a city","name":"get_weather"}],"messages":[{"content":"You are terse.","role":"system"},{"content":"Weather in Paris?","role":"user"}]},"provider":"openai"}',
    ) as ResponseCacheKeyInput;
    expect(responseCacheKey(reordered)).toBe(responseCacheKey(input({ tools: [weatherTool] })));
  });

  it('fills in defaults: a missing setting equals its default', () => {
    expect(responseCacheKey(input({ temperature: undefined }))).toBe(responseCacheKey(input({ temperature: 1 })));
    expect(responseCacheKey(input({ topP: 1 }))).toBe(responseCacheKey(input()));
    expect(responseCacheKey(input({ tools: [weatherTool] }))).toBe(responseCacheKey(input({ tools: [weatherTool], toolChoice: 'auto' })));
    expect(responseCacheKey(input({ tools: [] }))).toBe(responseCacheKey(input()));
    expect(responseCacheKey(input({ stop: [] }))).toBe(responseCacheKey(input()));
    expect(responseCacheKey(input({ responseFormat: { type: 'text' } }))).toBe(responseCacheKey(input()));
    expect(responseCacheKey(input({}, { tenant: 'default' }))).toBe(responseCacheKey(input()));
  });

  it('leaves out what does not change the answer', () => {
    expect(responseCacheKey(input({ user: 'end-user-1' }))).toBe(responseCacheKey(input()));
    const request = { ...input().settings, signal: new AbortController().signal, requestId: 'r1', cache: { ttl: 5 } };
    expect(responseCacheKey({ ...input(), settings: request })).toBe(responseCacheKey(input()));
  });

  it('treats a lone text part like a plain string', () => {
    const parts = input({ messages: [{ role: 'system', content: [{ type: 'text', text: 'You are terse.' }] }, { role: 'user', content: 'Weather in Paris?' }] });
    expect(responseCacheKey(parts)).toBe(responseCacheKey(input()));
    expect(canonicalResponseRequest(parts)).toContain('"temperature":0');
  });

  it('covers every setting that reaches the upstream: strict tools, penalties, logprobs, reasoning, provider options', () => {
    const plain = responseCacheKey(input({ tools: [weatherTool] }));
    const variants = [
      input({ tools: [{ ...weatherTool, strict: true }] }),
      input({ tools: [weatherTool], parallelToolCalls: false }),
      input({ tools: [weatherTool], frequencyPenalty: 0.5 }),
      input({ tools: [weatherTool], presencePenalty: 0.5 }),
      input({ tools: [weatherTool], logprobs: true }),
      input({ tools: [weatherTool], logprobs: true, topLogprobs: 2 }),
      input({ tools: [weatherTool], topK: 3 }),
      input({ tools: [weatherTool], reasoning: { effort: 'low' } }),
      input({ tools: [weatherTool], providerOptions: { openai: { logit_bias: { '1': 2 } } } }),
    ].map(responseCacheKey);
    expect(new Set([plain, ...variants]).size).toBe(variants.length + 1);
  });

  it('keys a passthrough call by its wire body whole, and by whether it streams', () => {
    const wireRequest = (body: Record<string, unknown>) => ({ format: 'openai-chat' as const, body: { model: 'openai/gpt-4o-mini', messages: [], ...body }, extras: {} });
    const named = input({ wireRequest: wireRequest({ messages: [{ role: 'user', content: 'x', name: 'ann' }] }) });
    const unnamed = input({ wireRequest: wireRequest({ messages: [{ role: 'user', content: 'x' }] }) });
    expect(responseCacheKey(named)).not.toBe(responseCacheKey(unnamed));
    expect(responseCacheKey({ ...unnamed, stream: true })).not.toBe(responseCacheKey(unnamed));
    expect(responseCacheKey(input({ wireRequest: wireRequest({ stream: true }) }))).toBe(responseCacheKey(input({ wireRequest: wireRequest({}) })));
  });
});

describe('canonicalResponseRequest', () => {
  /** The reference: canonicalJson of the normalized request, as the key was first defined (a key must not change). */
  function reference(value: ResponseCacheKeyInput): string {
    const { settings } = value;
    const content = (message: (typeof settings.messages)[number]) =>
      message.content === null ? '' : Array.isArray(message.content) && message.content.length === 1 && message.content[0].type === 'text' ? message.content[0].text : message.content;
    const tools =
      settings.tools === undefined || settings.tools.length === 0
        ? null
        : settings.tools.map((tool) => ({ name: tool.name, description: tool.description ?? '', parameters: tool.parameters, strict: tool.strict === true }));
    return canonicalJson({
      version: 1,
      tenant: value.tenant ?? 'default',
      provider: value.provider,
      modelId: value.modelId,
      messages: settings.messages.map((message) => ({
        role: message.role,
        content: content(message),
        ...(message.role === 'assistant' && message.toolCalls !== undefined && message.toolCalls.length > 0
          ? { toolCalls: message.toolCalls.map((call) => ({ id: call.id, name: call.name, arguments: call.arguments })) }
          : {}),
        ...(message.role === 'tool' ? { toolCallId: message.toolCallId } : {}),
      })),
      tools,
      toolChoice: tools === null ? null : (settings.toolChoice ?? 'auto'),
      temperature: settings.temperature ?? 1,
      topP: settings.topP ?? 1,
      maxTokens: settings.maxTokens ?? null,
      stop: settings.stop === undefined || settings.stop.length === 0 ? null : settings.stop,
      seed: settings.seed ?? null,
      responseFormat: settings.responseFormat === undefined || settings.responseFormat.type === 'text' ? null : settings.responseFormat,
      topK: settings.topK ?? null,
      frequencyPenalty: settings.frequencyPenalty ?? 0,
      presencePenalty: settings.presencePenalty ?? 0,
      logprobs: settings.logprobs === true ? (settings.topLogprobs ?? 0) : null,
      parallelToolCalls: tools === null ? null : settings.parallelToolCalls !== false,
      reasoning: settings.reasoning ?? null,
      providerOptions: settings.providerOptions !== undefined && Object.keys(settings.providerOptions).length > 0 ? settings.providerOptions : null,
    });
  }

  it.each<[string, ResponseCacheKeyInput]>([
    ['plain', input()],
    ['every setting', input({ tools: [{ ...weatherTool, strict: true }], toolChoice: { name: 'get_weather' }, topK: 4, frequencyPenalty: 0.1, presencePenalty: 0.2, logprobs: true, topLogprobs: 2, parallelToolCalls: false, reasoning: { effort: 'low', budgetTokens: 64 }, topP: 0.5, maxTokens: 9, stop: ['END', '"quoted"'], seed: 3, user: 'u', responseFormat: { type: 'json_schema', name: 'w', schema: { type: 'object', required: ['b', 'a'] }, strict: true } }, { tenant: 'acme' })],
    [
      'tool calls, tool results, parts and provider options',
      input({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image', url: 'https://example.com/cat.png' }] },
          { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
          { role: 'tool', content: 'sunny \u2603 "quoted"', toolCallId: 'call_1' },
          { role: 'user', content: [{ type: 'text', text: 'and now?' }] },
        ],
        providerOptions: { openai: { logit_bias: { '50256': -100 }, store: false } },
      }),
    ],
  ])('is written exactly as canonicalJson of the normalized request: %s', (_name, value) => {
    expect(canonicalResponseRequest(value)).toBe(reference(value));
  });
});

import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../spec/errors.js';
import { fromResponsesRequest } from './openai-responses-convert.js';
import { createResponsesEventWriter } from './openai-responses-events.js';
import { RESPONSES_FIELD_RULES } from './openai-responses-fields.js';
import { responsesRequestSchema } from './openai-responses-schemas.js';

function convert(raw: Record<string, unknown>, history: unknown[] = []) {
  const body = responsesRequestSchema.parse(raw);
  const items = responsesRequestSchema.shape.input.parse(history) as Exclude<typeof body.input, string | undefined>;
  return fromResponsesRequest(body, raw, { items }, 'anthropic');
}

function refusal(raw: Record<string, unknown>): SwitchyardError {
  try {
    convert(raw);
  } catch (error) {
    if (SwitchyardError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('fromResponsesRequest', () => {
  it('maps every modelled item onto neutral messages, function calls joining the assistant turn', () => {
    const settings = convert({
      model: 'anthropic/claude-haiku-4-5',
      instructions: 'be brief',
      input: [
        { role: 'developer', content: 'use metric units' },
        { role: 'user', content: [{ type: 'input_text', text: 'weather?' }, { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'checking', annotations: [] }] },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', call_id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '21' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: '25' }] },
      ],
      max_output_tokens: 100,
      temperature: 0.5,
      top_p: 0.9,
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' }, strict: false }],
      tool_choice: { type: 'function', name: 'get_weather' },
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
      user: 'user-1',
    });
    expect(settings).toEqual({
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'system', content: 'use metric units' },
        { role: 'user', content: [{ type: 'text', text: 'weather?' }, { type: 'image', url: 'https://example.com/a.png' }] },
        {
          role: 'assistant',
          content: 'checking',
          toolCalls: [
            { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
          ],
        },
        { role: 'tool', toolCallId: 'call_1', content: '21' },
        { role: 'tool', toolCallId: 'call_2', content: '25' },
      ],
      maxTokens: 100,
      temperature: 0.5,
      topP: 0.9,
      tools: [{ name: 'get_weather', parameters: { type: 'object' }, strict: false }],
      toolChoice: { name: 'get_weather' },
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true },
      user: 'user-1',
    });
  });

  it('maps reasoning items and effort, documents, logprobs and parallel tool calls', () => {
    const settings = convert({
      model: 'm',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'read this' }, { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' }] },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thinking it over' }], encrypted_content: 'sig-1' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'it is a PDF' }] },
        { role: 'user', content: [{ type: 'input_file', file_url: 'https://example.com/b.pdf' }] },
      ],
      reasoning: { effort: 'low', summary: 'auto' },
      top_logprobs: 3,
      include: ['message.output_text.logprobs', 'reasoning.encrypted_content'],
      parallel_tool_calls: false,
    });
    expect(settings).toEqual({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'read this' }, { type: 'document', data: 'JVBERi0=', mediaType: 'application/pdf', title: 'a.pdf' }] },
        { role: 'assistant', content: [{ type: 'reasoning', text: 'thinking it over', signature: 'sig-1' }, { type: 'text', text: 'it is a PDF' }] },
        { role: 'user', content: [{ type: 'document', url: 'https://example.com/b.pdf', mediaType: 'application/pdf' }] },
      ],
      reasoning: { effort: 'low' },
      logprobs: true,
      topLogprobs: 3,
      parallelToolCalls: false,
    });
    expect(refusal({ model: 'm', input: 'x', reasoning: { effort: 'xhigh' } })).toMatchObject({ param: 'reasoning.effort' });
    expect(convert({ model: 'm', input: 'x', reasoning: { effort: 'none' } })).not.toHaveProperty('reasoning');
  });

  it('puts the stored conversation before the input, and names previous_response_id for what it cannot convert', () => {
    const settings = convert({ model: 'm', input: 'second' }, [{ role: 'user', content: 'first' }, { type: 'message', role: 'assistant', content: 'reply' }]);
    expect(settings.messages).toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'reply' },
      { role: 'user', content: 'second' },
    ]);
    const body = responsesRequestSchema.parse({ model: 'm', input: 'next' });
    const history = responsesRequestSchema.shape.input.parse([{ type: 'web_search_call', id: 'ws_1', status: 'completed' }]) as Exclude<typeof body.input, string | undefined>;
    expect(() => fromResponsesRequest(body, { model: 'm', input: 'next' }, { items: history }, 'gemini')).toThrow(
      expect.objectContaining({ param: 'previous_response_id', provider: 'gemini', status: 400 }),
    );
  });

  it('refuses input parts it cannot honour, naming the part', () => {
    expect(refusal({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_data: 'JVBERi0=', filename: 'a.txt' }] }] }).param).toBe('input.0.content.0.file_data');
    expect(refusal({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file_1' }] }] }).param).toBe('input.0.content.0.file_id');
    expect(refusal({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1', detail: 'auto' }] }] }).param).toBe('input.0.content.0.file_id');
    expect(refusal({ model: 'm', input: [{ role: 'system', content: [{ type: 'input_image', image_url: 'https://example.com/a.png' }] }] }).param).toBe('input.0.content.0.type');
    expect(refusal({ model: 'm', tool_choice: { type: 'web_search' }, input: 'x' }).param).toBe('tool_choice.type');
    expect(refusal({ model: 'm', tools: [{ type: 'function', name: 'f', defer_loading: true }], input: 'x' }).param).toBe('tools.0.defer_loading');
    expect(refusal({ model: 'm', instructions: 'only instructions' }).param).toBe('input');
  });

  it('has a row for every field the schema names', () => {
    for (const field of Object.keys(responsesRequestSchema.shape)) expect(RESPONSES_FIELD_RULES, field).toHaveProperty(field);
  });

  // Table-driven: each refused field with a value that asks for something is a 400 naming it and the provider;
  // its default value (when it has one) passes.
  const asking: Record<string, unknown> = {
    stream_options: { include_obfuscation: true },
    truncation: 'auto',
    include: ['file_search_call.results'],
    background: true,
    service_tier: 'flex',
    prompt: { id: 'pmpt_1' },
    prompt_cache_key: 'key',
    prompt_cache_retention: '24h',
    prompt_cache_options: { mode: 'auto' },
    safety_identifier: 'user-hash',
    conversation: 'conv_1',
    context_management: [{ type: 'compaction' }],
    moderation: { mode: 'strict' },
  };
  const defaults: Record<string, unknown> = {
    stream_options: { include_obfuscation: false },
    truncation: 'disabled',
    include: [],
    background: false,
    service_tier: 'auto',
  };
  const refused = Object.entries(RESPONSES_FIELD_RULES).filter(([, rule]) => rule.handling === 'refused').map(([field]) => field);

  it('lists a refusing value for every refused field', () => {
    expect(Object.keys(asking).sort()).toEqual([...refused].sort());
  });

  it.each(refused)('refuses %s with a 400 naming it and the provider', (field) => {
    const error = refusal({ model: 'm', input: 'x', [field]: asking[field] });
    expect(error).toMatchObject({ status: 400, param: field, provider: 'anthropic' });
    expect(error.message).toContain('"anthropic"');
    if (field in defaults) expect(() => convert({ model: 'm', input: 'x', [field]: defaults[field] })).not.toThrow();
    expect(() => convert({ model: 'm', input: 'x', [field]: null })).not.toThrow();
  });

  it('refuses a field it does not know', () => {
    expect(refusal({ model: 'm', input: 'x', max_tool_calls: 3 })).toMatchObject({ status: 400, param: 'max_tool_calls' });
  });
});

describe('createResponsesEventWriter', () => {
  const identity = { id: 'resp_1', createdAt: 1, model: 'mock/echo', request: responsesRequestSchema.parse({ model: 'mock/echo', input: 'x' }) };

  it('numbers events from 0, keeps items apart by output_index and closes them in order', () => {
    const writer = createResponsesEventWriter(identity);
    const events = [
      ...writer.start(),
      ...writer.part({ type: 'text-delta', text: 'Let me check. ' }),
      ...writer.part({ type: 'tool-call-delta', index: 0, id: 'call_a', name: 'lookup', argumentsDelta: '{"q":' }),
      ...writer.part({ type: 'tool-call-delta', index: 1, id: 'call_b', name: 'lookup', argumentsDelta: '{"q":"b"}' }),
      ...writer.part({ type: 'tool-call-delta', index: 0, id: 'call_a', argumentsDelta: '"a"}' }),
    ];
    const end = writer.finish({ type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 } });
    const all = [...events, ...end.events];
    expect(all.map((event) => event.sequence_number)).toEqual(all.map((_, index) => index));
    expect(all.map((event) => [event.type, event.output_index ?? null])).toEqual([
      ['response.created', null],
      ['response.in_progress', null],
      ['response.output_item.added', 0],
      ['response.content_part.added', 0],
      ['response.output_text.delta', 0],
      ['response.output_item.added', 1],
      ['response.function_call_arguments.delta', 1],
      ['response.output_item.added', 2],
      ['response.function_call_arguments.delta', 2],
      ['response.function_call_arguments.delta', 1],
      ['response.output_text.done', 0],
      ['response.content_part.done', 0],
      ['response.output_item.done', 0],
      ['response.function_call_arguments.done', 1],
      ['response.output_item.done', 1],
      ['response.function_call_arguments.done', 2],
      ['response.output_item.done', 2],
      ['response.completed', null],
    ]);
    expect(end.response.output).toMatchObject([
      { type: 'message', status: 'completed', content: [{ type: 'output_text', text: 'Let me check. ' }] },
      { type: 'function_call', call_id: 'call_a', name: 'lookup', arguments: '{"q":"a"}', status: 'completed' },
      { type: 'function_call', call_id: 'call_b', name: 'lookup', arguments: '{"q":"b"}', status: 'completed' },
    ]);
    expect(end.response.usage).toMatchObject({ input_tokens: 3, output_tokens: 4, total_tokens: 7 });
  });

  it('ends a cut answer with response.incomplete, and an error with error then response.failed', () => {
    const cut = createResponsesEventWriter(identity);
    cut.start();
    cut.part({ type: 'text-delta', text: 'partial' });
    const end = cut.finish({ type: 'finish', finishReason: 'length', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } });
    expect(end.events.at(-1)).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });

    const failing = createResponsesEventWriter(identity);
    failing.start();
    const events = failing.error({ status: 502, code: 'upstream_error', message: 'upstream failed', param: null });
    expect(events.map((event) => event.type)).toEqual(['error', 'response.failed']);
    expect(events[1]).toMatchObject({ response: { status: 'failed', error: { code: 'upstream_error', message: 'upstream failed' } } });
  });
});

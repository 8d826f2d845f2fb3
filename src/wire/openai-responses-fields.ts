import { SwitchyardError } from '../spec/errors.js';

/*
 * What becomes of each Responses request field when the target is not an
 * OpenAI (or OpenAI-compatible) provider and the request is served by the
 * chat pipeline. A native target receives every field verbatim. The README's
 * "what maps where" table lists the same rows.
 */

/** How the conversion treats one top-level request field. */
export type ResponsesFieldHandling =
  /** Mapped onto the neutral request. */
  | 'mapped'
  /** Honoured by the gateway itself (storage, history, streaming, echoed fields). */
  | 'gateway'
  /** Refused with a 400 unless absent, null, or the value OpenAI treats as its default. */
  | 'refused';

/** One row of the table: the handling, the values accepted as "the default" for refused fields, and what happens. */
export interface ResponsesFieldRule {
  handling: ResponsesFieldHandling;
  /** For `refused` fields: values that ask for nothing and so pass. */
  accepts?: (value: unknown) => boolean;
  /** What the field becomes (for the README and error messages). */
  note: string;
}

const isFalse = (value: unknown) => value === false;
/** `include` values the conversion honours: logprobs (mapped), and reasoning's replay data (always sent). */
const INCLUDABLE = new Set(['message.output_text.logprobs', 'reasoning.encrypted_content']);

/** Every top-level field of `POST /v1/responses` the conversion knows; any other field is refused. */
export const RESPONSES_FIELD_RULES: Record<string, ResponsesFieldRule> = {
  model: { handling: 'mapped', note: 'the target model (`provider/model`, bare name or route)' },
  input: {
    handling: 'mapped',
    note: 'messages: input_text, input_image (URL) and input_file (data or URL) parts, assistant output_text, reasoning items → reasoning parts, function_call → tool calls, function_call_output → tool messages',
  },
  instructions: { handling: 'mapped', note: 'a system message before the input (not carried over by `previous_response_id`)' },
  temperature: { handling: 'mapped', note: '`temperature`' },
  top_p: { handling: 'mapped', note: '`topP`' },
  max_output_tokens: { handling: 'mapped', note: '`maxTokens`; a cut answer is `status: "incomplete"`' },
  tools: { handling: 'mapped', note: 'function tools (with `strict`); built-in tools (web_search, file_search, ...) are refused' },
  tool_choice: { handling: 'mapped', note: '`auto`/`none`/`required`/`{type:"function",name}`; other choices refused' },
  text: { handling: 'mapped', note: '`text.format` → `responseFormat` (text, json_object, json_schema); `text.verbosity` refused' },
  user: { handling: 'mapped', note: '`user`' },
  stream: { handling: 'gateway', note: 'the gateway writes the Responses events from the chat stream' },
  store: { handling: 'gateway', note: 'the response is kept in SQL for the tenant (default true)' },
  previous_response_id: { handling: 'gateway', note: 'the stored conversation is prepended to `input` (same tenant only)' },
  metadata: { handling: 'gateway', note: 'kept on the stored response and echoed back' },
  parallel_tool_calls: { handling: 'mapped', note: '`parallelToolCalls` (false: one tool call per turn, where the provider can)' },
  reasoning: { handling: 'mapped', note: '`reasoning.effort` → reasoning effort or thinking budget; the reasoning comes back as reasoning items' },
  top_logprobs: { handling: 'mapped', note: '`logprobs` with `topLogprobs`, where the provider has them' },
  include: {
    handling: 'refused',
    accepts: (value) => Array.isArray(value) && value.every((entry) => INCLUDABLE.has(entry as string)),
    note: 'only `message.output_text.logprobs` and `reasoning.encrypted_content`',
  },
  stream_options: { handling: 'refused', accepts: (value) => typeof value === 'object' && value !== null && Object.keys(value).every((key) => key === 'include_obfuscation' && isFalse((value as Record<string, unknown>)[key])), note: 'only `{ include_obfuscation: false }`' },
  truncation: { handling: 'refused', accepts: (value) => value === 'disabled', note: 'only `disabled`' },
  background: { handling: 'refused', accepts: isFalse, note: 'only `false`' },
  service_tier: { handling: 'refused', accepts: (value) => value === 'auto', note: 'only `auto`' },
  prompt: { handling: 'refused', note: 'OpenAI stored prompts' },
  prompt_cache_key: { handling: 'refused', note: 'OpenAI prompt caching' },
  prompt_cache_retention: { handling: 'refused', note: 'OpenAI prompt caching' },
  prompt_cache_options: { handling: 'refused', note: 'OpenAI prompt caching' },
  safety_identifier: { handling: 'refused', note: 'OpenAI abuse monitoring' },
  conversation: { handling: 'refused', note: 'OpenAI conversations (use `previous_response_id`)' },
  context_management: { handling: 'refused', note: 'OpenAI context management' },
  moderation: { handling: 'refused', note: 'OpenAI moderation' },
};

/** The 400 for a field (dotted path) the target provider cannot honour. */
export function unsupportedField(param: string, provider: string, detail?: string): SwitchyardError {
  return new SwitchyardError({
    code: 'unsupported',
    status: 400,
    param,
    provider,
    message: `${param}${detail ? ` (${detail})` : ''} is not supported by provider "${provider}" through the Responses API`,
  });
}

/**
 * Refuses the top-level fields of a raw Responses body that `provider`
 * (served by the chat pipeline) cannot honour: unknown fields, and refused
 * ones carrying anything but their default. Nested parts (items, tools,
 * `text.verbosity`) are checked by the conversion.
 */
export function refuseUnconvertibleFields(body: Record<string, unknown>, provider: string): void {
  for (const [field, value] of Object.entries(body)) {
    const rule = Object.hasOwn(RESPONSES_FIELD_RULES, field) ? RESPONSES_FIELD_RULES[field] : undefined;
    if (rule === undefined) throw unsupportedField(field, provider, 'unknown field');
    if (rule.handling !== 'refused' || value === null || value === undefined || rule.accepts?.(value)) continue;
    throw unsupportedField(field, provider, rule.note);
  }
}

import type { DriverCallOptions } from '../spec/driver.js';
import { SwitchyardError } from '../spec/errors.js';
import type { WireFormat } from '../spec/request.js';

/*
 * Same-wire passthrough, for every driver (see WireRequest in spec/request.ts).
 *
 * A driver that speaks a wire format natively lists it in `wireFormats` and,
 * in its body builder:
 *   const format = passthroughFormat(options, WIRE_FORMATS);
 *   const body = format ? passthroughBody(options, provider, { stream: ... }) : buildFromNeutral(options);
 * then returns `native: { format, body: upstreamBody }` (non-streamed) or
 * yields `native-event` parts (streamed) when `format` is set. A body built
 * from the neutral settings goes through `withProviderOptions` and
 * `refuseForeignExtras` (after taking out any extras the driver maps).
 */

/** The call's wire format when the driver speaks it natively (the call is passed through), else undefined. */
export function passthroughFormat(options: DriverCallOptions, formats: readonly WireFormat[]): WireFormat | undefined {
  const format = options.wireRequest?.format;
  return format !== undefined && formats.includes(format) ? format : undefined;
}

/**
 * The upstream body of a passthrough call: the caller's body, `model`
 * replaced by the provider's model id, `stream` set as the driver reads the
 * answer, `omit` fields removed and `set` fields (a driver's own stream options) added, then
 * `providerOptions[provider]` merged over. Shallow: the caller's nested
 * objects are shared, not copied (nothing here mutates them).
 */
export function passthroughBody(
  options: DriverCallOptions,
  provider: string,
  settings: { stream: boolean; set?: Record<string, unknown>; omit?: readonly string[] },
): Record<string, unknown> {
  const body: Record<string, unknown> = { ...options.wireRequest?.body, model: options.modelId };
  if (settings.stream) body.stream = true;
  else delete body.stream;
  for (const field of settings.omit ?? []) delete body[field];
  if (settings.set) Object.assign(body, settings.set);
  return withProviderOptions(body, options, provider);
}

/** Merges `providerOptions[provider]` verbatim over a built body (later keys win); returns the body. */
export function withProviderOptions(body: Record<string, unknown>, options: DriverCallOptions, provider: string): Record<string, unknown> {
  const own = options.providerOptions?.[provider];
  if (own !== undefined) Object.assign(body, own);
  return body;
}

/**
 * Refuses the caller's wire fields the neutral settings do not model, on a
 * call that is not passed through: a 400 `unsupported` naming the first such
 * field and the provider. `handled` lists extras the driver mapped itself.
 */
export function refuseForeignExtras(options: DriverCallOptions, provider: string, handled?: ReadonlySet<string>): void {
  const wire = options.wireRequest;
  if (wire === undefined) return;
  for (const field of Object.keys(wire.extras)) {
    if (handled?.has(field)) continue;
    throw unsupportedField(field, provider, wire.format);
  }
}

/** The 400 for a field a provider cannot honour: code `unsupported`, `param` the field. */
export function unsupportedField(field: string, provider: string, format?: WireFormat): SwitchyardError {
  const source = format === undefined ? '' : ` (from the ${format} request)`;
  return new SwitchyardError({
    code: 'unsupported',
    status: 400,
    provider,
    param: field,
    message: `${field}: not supported by provider "${provider}"${source}; send it only to a provider that accepts it`,
  });
}

/** Each neutral setting's field name on each wire, for naming it in a refusal the caller reads. */
const WIRE_FIELD_NAMES: Record<WireFormat, Record<string, string>> = {
  'openai-chat': {
    topP: 'top_p',
    maxTokens: 'max_tokens',
    responseFormat: 'response_format',
    toolChoice: 'tool_choice',
    topK: 'top_k',
    frequencyPenalty: 'frequency_penalty',
    presencePenalty: 'presence_penalty',
    topLogprobs: 'top_logprobs',
    parallelToolCalls: 'parallel_tool_calls',
    reasoning: 'reasoning_effort',
  },
  'anthropic-messages': {
    topP: 'top_p',
    topK: 'top_k',
    maxTokens: 'max_tokens',
    stop: 'stop_sequences',
    toolChoice: 'tool_choice',
    user: 'metadata.user_id',
    responseFormat: 'output_config',
    reasoning: 'thinking',
    parallelToolCalls: 'tool_choice.disable_parallel_tool_use',
  },
  'openai-responses': {
    topP: 'top_p',
    maxTokens: 'max_output_tokens',
    responseFormat: 'text.format',
    toolChoice: 'tool_choice',
    logprobs: 'top_logprobs',
    topLogprobs: 'top_logprobs',
    parallelToolCalls: 'parallel_tool_calls',
    reasoning: 'reasoning.effort',
  },
};

/**
 * A setting the provider cannot honour: refused, on every call, with a 400
 * `unsupported` naming the field and the provider. A gateway call (it
 * carries a `wireRequest`) names the field as the caller's wire spells it;
 * a library call names the neutral setting (`seed`, `topK`). The library and
 * the gateway refuse the same settings; nothing is dropped with a warning.
 */
export function cannotHonour(options: DriverCallOptions, provider: string, setting: string, message: string): never {
  const format = options.wireRequest?.format;
  const field = format === undefined ? setting : (WIRE_FIELD_NAMES[format][setting] ?? setting);
  throw new SwitchyardError({ code: 'unsupported', status: 400, provider, param: field, message: `${field}: ${message} (provider "${provider}")` });
}

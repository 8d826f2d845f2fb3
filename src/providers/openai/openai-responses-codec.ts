import { z } from 'zod';
import type { ChatCodec, StreamDecoder } from '../../core/chat-codec.js';
import type { DriverCallOptions } from '../../spec/driver.js';
import { SwitchyardError } from '../../spec/errors.js';
import type { ToolCall } from '../../spec/messages.js';
import type { WireFormat } from '../../spec/request.js';
import type { FinishReason, Usage } from '../../spec/response.js';
import type { FinishPart, StreamPart } from '../../spec/stream.js';
import { fromErrorValue, mapOpenAIStreamError } from './openai-error.js';

/*
 * OpenAI's Responses API, spoken only as a same-wire passthrough (wire format
 * `openai-responses`): the caller's body goes to POST /responses verbatim
 * (model replaced) and the upstream's own `response` object, or its events,
 * come back unchanged. The codec reads from them what the client needs:
 * text, function calls, finish reason and usage.
 */

/** The wire format this codec passes through. */
export const RESPONSES_WIRE_FORMATS: readonly WireFormat[] = ['openai-responses'];

const outputItemSchema = z.looseObject({
  type: z.string(),
  content: z.array(z.looseObject({ type: z.string(), text: z.string().optional(), refusal: z.string().optional() })).nullish(),
  call_id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
});

/** What the driver reads of a Responses `response` object. */
export const responsesObjectSchema = z.looseObject({
  id: z.string(),
  model: z.string().optional(),
  status: z.string().nullish(),
  incomplete_details: z.looseObject({ reason: z.string().nullish() }).nullish(),
  output: z.array(outputItemSchema).nullish(),
  usage: z.looseObject({ input_tokens: z.number(), output_tokens: z.number(), total_tokens: z.number().optional() }).nullish(),
});

/** One streamed Responses event, as far as the driver reads it. */
export const responsesEventSchema = z.looseObject({ type: z.string(), delta: z.unknown().optional(), response: z.unknown().optional() });

type ResponsesObject = z.infer<typeof responsesObjectSchema>;
type ResponsesEvent = z.infer<typeof responsesEventSchema>;

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

function finishReasonOf(response: ResponsesObject, calledTools: boolean): FinishReason {
  if (response.status === 'failed') return 'error';
  if (response.status === 'incomplete') {
    const reason = response.incomplete_details?.reason;
    return reason === 'max_output_tokens' ? 'length' : reason === 'content_filter' ? 'content-filter' : 'other';
  }
  return calledTools ? 'tool-calls' : 'stop';
}

/** The answer a `response` object holds, in neutral terms. */
function summarize(response: ResponsesObject, modelId: string) {
  let content = '';
  const toolCalls: ToolCall[] = [];
  for (const item of response.output ?? []) {
    if (item.type === 'message') for (const part of item.content ?? []) content += part.text ?? part.refusal ?? '';
    else if (item.type === 'function_call') toolCalls.push({ id: item.call_id ?? '', name: item.name ?? '', arguments: item.arguments ?? '' });
  }
  const inputTokens = response.usage?.input_tokens ?? 0;
  const outputTokens = response.usage?.output_tokens ?? 0;
  const usage: Usage = { inputTokens, outputTokens, totalTokens: response.usage?.total_tokens ?? inputTokens + outputTokens };
  return { id: response.id, modelId: response.model ?? modelId, content, toolCalls, finishReason: finishReasonOf(response, toolCalls.length > 0), usage };
}

/**
 * Reads a passed-through stream: text deltas (the skeleton joins them), then
 * the terminal event's response. A function call's argument pieces and the
 * reasoning summary's are yielded too: not needed for the finish part, they
 * mark their events as content, where a stream commits to its upstream (a
 * tool call alone must not wait for the terminal event).
 */
function createResponsesDecoder(options: DriverCallOptions, provider: string): StreamDecoder<ResponsesEvent> {
  let finish: FinishPart | undefined;
  return {
    *accept(event): Generator<StreamPart, void, undefined> {
      if (typeof event.delta === 'string') {
        if (event.type === 'response.output_text.delta') yield { type: 'text-delta', text: event.delta };
        else if (event.type === 'response.function_call_arguments.delta') yield { type: 'tool-call-delta', index: 0, id: '', argumentsDelta: event.delta };
        else if (event.type === 'response.reasoning_summary_text.delta') yield { type: 'reasoning-delta', text: event.delta };
      }
      if (!TERMINAL_EVENTS.has(event.type)) return;
      const parsed = responsesObjectSchema.safeParse(event.response);
      if (!parsed.success) throw new SwitchyardError({ code: 'invalid_response', provider, message: `${provider} ${event.type} event carries no valid response` });
      const summary = summarize(parsed.data, options.modelId);
      finish = { type: 'finish', finishReason: summary.finishReason, usage: summary.usage, id: summary.id, toolCalls: summary.toolCalls };
    },
    done: () => finish !== undefined,
    complete: () => finish !== undefined,
    finish: () => finish!,
  };
}

/**
 * The Responses codec, for passthrough calls only: the driver sends it a
 * call whose `wireRequest` is `openai-responses`, and the skeleton then
 * sends the caller's body, never one built from neutral settings.
 */
export function createOpenAIResponsesCodec(provider: string): ChatCodec<ResponsesObject, ResponsesEvent> {
  return {
    path: () => '/responses',
    context: { generate: 'response', stream: 'response stream' },
    encode() {
      throw new SwitchyardError({ code: 'internal_error', provider, message: `${provider}: the Responses API is only passed through (a call without its wire body reached it)` });
    },
    responseSchema: responsesObjectSchema,
    decode: (response, options) => summarize(response, options.modelId),
    stream: {
      framing: 'sse',
      chunkSchema: responsesEventSchema,
      errorOf(value) {
        if ((value as { type?: unknown } | null)?.type !== 'error') return undefined;
        return mapOpenAIStreamError(fromErrorValue({ error: value }) ?? {}, { provider });
      },
      closing: 'response.completed',
      createDecoder: (options) => createResponsesDecoder(options, provider),
    },
    passthrough: { formats: RESPONSES_WIRE_FORMATS, eventName: (event) => event.type },
  };
}

import { z } from 'zod';
import { mapTransportError, requestJson, requestStream, waitForSocketRelease, type HttpCallOptions } from '../../core/http.js';
import { parseJson } from '../../core/safe-json.js';
import { readServerSentEvents } from '../../core/sse.js';
import { truncatedStreamError } from '../../core/upstream-error.js';
import { validateResponse } from '../../core/validate-response.js';
import { passthroughBody } from '../../core/wire-passthrough.js';
import type { DriverCallOptions, DriverGenerateResult } from '../../spec/driver.js';
import type { ToolCall } from '../../spec/messages.js';
import type { FinishReason, Usage } from '../../spec/response.js';
import type { FinishPart, StreamPart } from '../../spec/stream.js';
import { fromErrorValue, mapOpenAIStreamError } from './openai-error.js';

/*
 * OpenAI's Responses API as a same-wire passthrough (wire format
 * `openai-responses`): the caller's body goes to POST /responses verbatim
 * (model replaced), and the upstream's own `response` object, or its events,
 * come back unchanged. What the client needs to know of the answer (text,
 * function calls, finish reason, usage) is read from it on the way.
 */

/** Builds the options of one HTTP call of the driver: path, context, body, signal, request id. */
export type OpenAICallBuilder = (path: string, context: string, body: unknown, signal?: AbortSignal, requestId?: string) => HttpCallOptions;

const outputItemSchema = z.looseObject({
  type: z.string(),
  content: z.array(z.looseObject({ type: z.string(), text: z.string().optional(), refusal: z.string().optional() })).nullish(),
  call_id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
});

/** What the driver reads of a Responses `response` object. */
const responseObjectSchema = z.looseObject({
  id: z.string(),
  model: z.string().optional(),
  status: z.string().nullish(),
  incomplete_details: z.looseObject({ reason: z.string().nullish() }).nullish(),
  output: z.array(outputItemSchema).nullish(),
  usage: z.looseObject({ input_tokens: z.number(), output_tokens: z.number(), total_tokens: z.number().optional() }).nullish(),
});

type ResponseObject = z.infer<typeof responseObjectSchema>;

/** The answer a `response` object holds, in neutral terms. */
function summarize(response: ResponseObject, modelId: string) {
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

function finishReasonOf(response: ResponseObject, calledTools: boolean): FinishReason {
  if (response.status === 'failed') return 'error';
  if (response.status === 'incomplete') {
    const reason = response.incomplete_details?.reason;
    return reason === 'max_output_tokens' ? 'length' : reason === 'content_filter' ? 'content-filter' : 'other';
  }
  return calledTools ? 'tool-calls' : 'stop';
}

/** POST /responses with the caller's body; the result carries the upstream's body as `native`. */
export async function generateResponses(call: OpenAICallBuilder, options: DriverCallOptions, provider: string): Promise<DriverGenerateResult> {
  const body = passthroughBody(options, provider, { stream: false });
  const response = await requestJson(call('/responses', 'response', body, options.signal, options.requestId));
  const object = validateResponse(responseObjectSchema, response.value, `${provider} response`, provider);
  return { ...summarize(object, options.modelId), native: { format: 'openai-responses', body: response.value as Record<string, unknown> } };
}

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * POST /responses with `stream: true`: each upstream event is yielded as a
 * `native-event` part (name and data unchanged); the terminal event's
 * response gives the finish part (text, function calls, usage). An `error`
 * event becomes the mapped error; a stream that ends without a terminal
 * event is truncated.
 */
export async function* streamResponses(call: OpenAICallBuilder, options: DriverCallOptions, provider: string): AsyncGenerator<StreamPart, void, undefined> {
  const body = passthroughBody(options, provider, { stream: true });
  const context = 'response stream';
  const response = await requestStream(call('/responses', context, body, options.signal, options.requestId));
  let finish: FinishPart | undefined;
  try {
    for await (const event of readServerSentEvents(response.body, { signal: options.signal, context: `${provider} ${context}`, provider })) {
      if (finish) continue; // drain to the end so the socket is reused
      const value = parseJson(event.data, `${provider} ${context} event`, provider) as { type?: unknown; response?: unknown } | null;
      const type = typeof value?.type === 'string' ? value.type : event.event;
      if (type === 'error') throw mapOpenAIStreamError(fromErrorValue({ error: value }) ?? {}, { provider });
      yield { type: 'native-event', format: 'openai-responses', ...(event.event !== undefined ? { event: event.event } : {}), data: event.data };
      if (type !== undefined && TERMINAL_EVENTS.has(type)) {
        const object = validateResponse(responseObjectSchema, value?.response, `${provider} ${type} event`, provider);
        const summary = summarize(object, options.modelId);
        finish = { type: 'finish', finishReason: summary.finishReason, usage: summary.usage, id: summary.id, content: summary.content, toolCalls: summary.toolCalls };
      }
    }
  } catch (error) {
    throw mapTransportError(error, { provider, context, signal: options.signal });
  }
  if (!finish) throw truncatedStreamError(provider, context, 'response.completed');
  await waitForSocketRelease();
  yield finish;
}

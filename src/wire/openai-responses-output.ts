import { randomBytes } from 'node:crypto';
import type { ReasoningPart } from '../spec/messages.js';
import type { ChatResponse, FinishReason, TokenLogprob, Usage } from '../spec/response.js';
import type { ResponsesRequest } from './openai-responses-schemas.js';

/*
 * The Responses API's `response` object for an answer of the chat pipeline:
 * output items (reasoning, an assistant message, function calls), status, usage, and
 * the request settings OpenAI echoes back.
 */

/** A Responses output item the conversion produces. */
export type ResponsesOutputItem =
  | {
      id: string;
      type: 'message';
      status: 'in_progress' | 'completed' | 'incomplete';
      role: 'assistant';
      content: Array<{ type: 'output_text'; text: string; annotations: unknown[]; logprobs: ResponsesLogprob[] }>;
    }
  | { id: string; type: 'function_call'; status: 'in_progress' | 'completed' | 'incomplete'; call_id: string; name: string; arguments: string }
  | { id: string; type: 'reasoning'; summary: Array<{ type: 'summary_text'; text: string }>; encrypted_content: string | null };

/** One token's log probability in the Responses shape. */
export interface ResponsesLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] }>;
}

function bytesOf(token: string): number[] {
  return [...Buffer.from(token, 'utf8')];
}

/** Neutral token log probabilities in the Responses shape. */
export function toResponsesLogprobs(logprobs: TokenLogprob[] | undefined): ResponsesLogprob[] {
  return (logprobs ?? []).map((entry) => ({
    token: entry.token,
    logprob: entry.logprob,
    bytes: bytesOf(entry.token),
    top_logprobs: (entry.topLogprobs ?? []).map((top) => ({ token: top.token, logprob: top.logprob, bytes: bytesOf(top.token) })),
  }));
}

/** A reasoning output item: the reasoning text as its summary, the provider's signature (for replay) as `encrypted_content`. */
export function reasoningItem(id: string, part: Pick<ReasoningPart, 'text' | 'signature' | 'redacted'>): ResponsesOutputItem {
  return { id, type: 'reasoning', summary: part.text === '' ? [] : [{ type: 'summary_text', text: part.text }], encrypted_content: part.signature ?? part.redacted ?? null };
}

/** What identifies one response and what it echoes of its request. */
export interface ResponsesIdentity {
  id: string;
  /** Seconds since the epoch. */
  createdAt: number;
  /** The model reported (`provider/model`). */
  model: string;
  request: ResponsesRequest;
}

/** A new response id: `resp_` and 48 hex digits. */
export function newResponseId(): string {
  return `resp_${randomBytes(24).toString('hex')}`;
}

/**
 * The id of a response's output item: `rs_`, `msg_` or `fc_`, the response id's
 * digits and the item's output index, so an `item_reference` to it leads
 * back to the stored response (see {@link parseOutputItemId}).
 */
export function outputItemId(responseId: string, kind: 'rs' | 'msg' | 'fc', outputIndex: number): string {
  return `${kind}_${responseId.slice('resp_'.length)}_${outputIndex}`;
}

const OUTPUT_ITEM_ID = /^(?:rs|msg|fc)_([0-9a-f]{48})_(\d{1,6})$/;

/** The response id and output index an output item id names, or undefined for an id this gateway did not make. */
export function parseOutputItemId(id: string): { responseId: string; outputIndex: number } | undefined {
  const match = OUTPUT_ITEM_ID.exec(id);
  return match ? { responseId: `resp_${match[1]}`, outputIndex: Number(match[2]) } : undefined;
}

/** The Responses usage object. */
export function toResponsesUsage(usage: Usage) {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.totalTokens,
  };
}

/** `completed`, or `incomplete` with its reason when the answer was cut. */
export function responsesStatus(reason: FinishReason): { status: 'completed' | 'incomplete'; incomplete_details: { reason: string } | null } {
  if (reason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (reason === 'content-filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/** The state of a response object: in progress (no output yet), finished, or failed. */
export type ResponsesState =
  | { status: 'in_progress' }
  | { status: 'completed' | 'incomplete'; incomplete_details: { reason: string } | null; output: ResponsesOutputItem[]; usage: Usage }
  | { status: 'failed'; error: { code: string; message: string }; output: ResponsesOutputItem[] };

/** The `response` object in a given state, echoing the request's settings as OpenAI does. */
export function responsesObject(identity: ResponsesIdentity, state: ResponsesState) {
  const { request } = identity;
  const finished = state.status === 'completed' || state.status === 'incomplete';
  return {
    id: identity.id,
    object: 'response' as const,
    created_at: identity.createdAt,
    status: state.status,
    background: false,
    completed_at: finished ? Math.floor(Date.now() / 1000) : null,
    error: state.status === 'failed' ? state.error : null,
    incomplete_details: finished ? state.incomplete_details : null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    metadata: request.metadata ?? {},
    model: identity.model,
    output: state.status === 'in_progress' ? [] : state.output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: (request.tools ?? []).filter((tool) => tool.type === 'function').map((tool) => ({ strict: false, ...tool })),
    top_p: request.top_p ?? 1,
    truncation: 'disabled',
    usage: finished ? toResponsesUsage(state.usage) : null,
    user: request.user ?? null,
  };
}

/** A Responses `response` object. */
export type ResponsesObject = ReturnType<typeof responsesObject>;

/**
 * The output items of a finished chat answer for response `responseId`: its
 * reasoning, the message (when it has text), then each function call.
 */
export function outputItemsOf(
  responseId: string,
  response: Pick<ChatResponse, 'content' | 'toolCalls' | 'finishReason' | 'reasoning' | 'logprobs'>,
): ResponsesOutputItem[] {
  const itemStatus = responsesStatus(response.finishReason).status;
  const items: ResponsesOutputItem[] = [];
  for (const part of response.reasoning ?? []) items.push(reasoningItem(outputItemId(responseId, 'rs', items.length), part));
  if (response.content !== '' || response.toolCalls.length === 0) {
    items.push({
      id: outputItemId(responseId, 'msg', items.length),
      type: 'message',
      status: itemStatus,
      role: 'assistant',
      content: [{ type: 'output_text', text: response.content, annotations: [], logprobs: toResponsesLogprobs(response.logprobs) }],
    });
  }
  for (const call of response.toolCalls) {
    items.push({ id: outputItemId(responseId, 'fc', items.length), type: 'function_call', status: 'completed', call_id: call.id, name: call.name, arguments: call.arguments });
  }
  return items;
}

/** The `response` object of a non-streamed chat answer. */
export function toResponsesObject(identity: ResponsesIdentity, response: ChatResponse): ResponsesObject {
  return responsesObject(identity, { ...responsesStatus(response.finishReason), output: outputItemsOf(identity.id, response), usage: response.usage });
}

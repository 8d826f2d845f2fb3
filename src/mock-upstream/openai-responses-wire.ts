import { contentText, splitIntoDeltas } from './mock-wire.js';
import { decideReply, usageFor, type MockChatRequest, type MockReply } from './openai-wire.js';

/*
 * Payloads in the exact format of OpenAI's Responses API for the OpenAI mock
 * server: the `response` object and the streaming events, for a text answer
 * or a function call decided like the chat completions' (a tool result is
 * answered with text). Kept apart from the gateway's own encoder on purpose:
 * the fake is written from the API reference, so it checks the gateway.
 */

/** The part of a Responses request body the mock reads. */
export interface MockResponsesRequest {
  model: string;
  input?: unknown;
  instructions?: string | null;
  stream?: boolean;
  max_output_tokens?: number | null;
  tools?: Array<{ type?: string; name?: string }>;
  tool_choice?: unknown;
  previous_response_id?: string | null;
  store?: boolean | null;
  metadata?: Record<string, string> | null;
  temperature?: number | null;
  top_p?: number | null;
}

const CREATED = 1_700_000_000;

/** The input items of a request (a string is one user message). */
export function responsesInputItems(input: unknown): Array<Record<string, unknown>> {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return Array.isArray(input) ? input.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null) : [];
}

/** The items as chat messages, for the shared reply rules and token counts. */
function asChatRequest(request: MockResponsesRequest, items: Array<Record<string, unknown>>): MockChatRequest {
  const messages = items.map((item) => {
    if (item.type === 'function_call_output') return { role: 'tool', content: typeof item.output === 'string' ? item.output : contentText(item.output) };
    if (item.type === 'function_call') return { role: 'assistant', content: String(item.arguments ?? '') };
    return { role: typeof item.role === 'string' ? item.role : 'user', content: item.content };
  });
  if (request.instructions) messages.unshift({ role: 'system', content: request.instructions });
  const choice = request.tool_choice;
  return {
    model: request.model,
    messages,
    tools: (request.tools ?? []).filter((tool) => tool.type === 'function').map((tool) => ({ type: 'function', function: { name: tool.name } })),
    tool_choice: typeof choice === 'object' && choice !== null ? { type: 'function', function: { name: (choice as { name?: string }).name } } : choice,
    // The Responses fake answers with one function call at a time.
    parallel_tool_calls: false,
  };
}

/** What the mock answers: a function call when asked for one, text otherwise, cut at `max_output_tokens` words. */
export interface MockResponsesAnswer {
  reply: MockReply;
  incomplete: boolean;
  usage: { input_tokens: number; input_tokens_details: { cached_tokens: number }; output_tokens: number; output_tokens_details: { reasoning_tokens: number }; total_tokens: number };
}

/** Decides the answer to a conversation (`items`: the stored history, then this request's input). */
export function decideResponsesAnswer(request: MockResponsesRequest, items: Array<Record<string, unknown>>, reply: string | undefined, sequence: number): MockResponsesAnswer {
  const chat = asChatRequest(request, items);
  const last = items[items.length - 1];
  let decided: MockReply =
    last?.type === 'function_call_output'
      ? { kind: 'text', text: reply ?? `The tool answered: ${chat.messages[chat.messages.length - 1].content as string}` }
      : decideReply(chat, reply, sequence);
  let incomplete = false;
  const limit = request.max_output_tokens ?? undefined;
  if (decided.kind === 'text' && limit !== undefined) {
    const words = splitIntoDeltas(decided.text);
    if (words.length > limit) {
      decided = { kind: 'text', text: words.slice(0, limit).join('').trimEnd() };
      incomplete = true;
    }
  }
  const counted = usageFor(chat, decided);
  return {
    reply: decided,
    incomplete,
    usage: {
      input_tokens: counted.prompt_tokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: counted.completion_tokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: counted.total_tokens,
    },
  };
}

/** The output item of an answer, as it is once finished. */
export function outputItem(answer: MockResponsesAnswer, sequence: number) {
  const { reply } = answer;
  if (reply.kind === 'tool') {
    const [call] = reply.calls;
    return { id: `fc_mock_${sequence}`, type: 'function_call', status: 'completed', arguments: call.arguments, call_id: call.id, name: call.name };
  }
  return {
    id: `msg_mock_${sequence}`,
    type: 'message',
    status: answer.incomplete ? 'incomplete' : 'completed',
    content: [{ type: 'output_text', annotations: [], logprobs: [], text: reply.text }],
    role: 'assistant',
  };
}

/** The `response` object: in progress (no output, no usage) or finished. */
export function responseObject(request: MockResponsesRequest, id: string, finished?: { answer: MockResponsesAnswer; sequence: number }) {
  const status = finished === undefined ? 'in_progress' : finished.answer.incomplete ? 'incomplete' : 'completed';
  return {
    id,
    object: 'response',
    created_at: CREATED,
    status,
    background: false,
    error: null,
    incomplete_details: finished?.answer.incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    metadata: request.metadata ?? {},
    model: request.model,
    output: finished ? [outputItem(finished.answer, finished.sequence)] : [],
    parallel_tool_calls: true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? 1,
    truncation: 'disabled',
    usage: finished ? finished.answer.usage : null,
    user: null,
  };
}

/** The SSE events of a streamed answer, in OpenAI's order; `pieces` are the text deltas (or argument slices). */
export function* responsesEvents(request: MockResponsesRequest, id: string, answer: MockResponsesAnswer, sequence: number, pieces: Iterable<string>): Generator<string> {
  let number = 0;
  const event = (type: string, fields: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: number++, ...fields })}\n\n`;
  const done = outputItem(answer, sequence);
  yield event('response.created', { response: responseObject(request, id) });
  yield event('response.in_progress', { response: responseObject(request, id) });
  if (done.type === 'function_call') {
    yield event('response.output_item.added', { output_index: 0, item: { ...done, status: 'in_progress', arguments: '' } });
    for (const piece of pieces) yield event('response.function_call_arguments.delta', { item_id: done.id, output_index: 0, delta: piece });
    yield event('response.function_call_arguments.done', { item_id: done.id, output_index: 0, arguments: done.arguments });
  } else {
    const text = answer.reply.kind === 'text' ? answer.reply.text : '';
    const part = { type: 'output_text', annotations: [], logprobs: [], text: '' };
    yield event('response.output_item.added', { output_index: 0, item: { ...done, status: 'in_progress', content: [] } });
    yield event('response.content_part.added', { item_id: done.id, output_index: 0, content_index: 0, part });
    for (const piece of pieces) yield event('response.output_text.delta', { item_id: done.id, output_index: 0, content_index: 0, delta: piece, logprobs: [] });
    yield event('response.output_text.done', { item_id: done.id, output_index: 0, content_index: 0, text, logprobs: [] });
    yield event('response.content_part.done', { item_id: done.id, output_index: 0, content_index: 0, part: { ...part, text } });
  }
  yield event('response.output_item.done', { output_index: 0, item: done });
  const finished = responseObject(request, id, { answer, sequence });
  yield event(answer.incomplete ? 'response.incomplete' : 'response.completed', { response: finished });
}

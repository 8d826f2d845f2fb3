import { contentText, embeddingFor, splitIntoDeltas } from './mock-wire.js';

/*
 * Payloads in OpenAI's exact wire format for the OpenAI mock server: chat
 * completions, stream chunks, model lists, embeddings and error bodies.
 */

/** The part of a chat request body the mock reads. */
export interface MockChatRequest {
  model: string;
  messages: Array<{ role: string; content?: unknown; tool_call_id?: string }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  tools?: Array<{ type?: string; function?: { name?: string } }>;
  tool_choice?: unknown;
  parallel_tool_calls?: boolean | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  n?: number | null;
}

/** The number of choices asked for (`n`, default 1). */
export function choiceCount(request: MockChatRequest): number {
  return typeof request.n === 'number' && request.n > 1 ? Math.floor(request.n) : 1;
}

/**
 * Cuts a text reply to the request's token limit (`max_completion_tokens`
 * or `max_tokens`, one word per token): the finish reason is then `length`.
 */
export function limitReply(request: MockChatRequest, reply: MockReply): { reply: MockReply; finishReason: 'stop' | 'length' | 'tool_calls' } {
  if (reply.kind === 'tool') return { reply, finishReason: 'tool_calls' };
  const limit = request.max_completion_tokens ?? request.max_tokens;
  const words = splitIntoDeltas(reply.text);
  if (typeof limit !== 'number' || words.length <= limit) return { reply, finishReason: 'stop' };
  return { reply: { kind: 'text', text: words.slice(0, limit).join('').trimEnd() }, finishReason: 'length' };
}

/**
 * The `logprobs` of a choice for `text` when the request asked for them
 * (deterministic values per token, `top_logprobs` alternatives each), else null.
 */
export function logprobsFor(request: MockChatRequest, text: string) {
  if (request.logprobs !== true) return null;
  const top = typeof request.top_logprobs === 'number' ? request.top_logprobs : 0;
  const entry = (token: string, index: number) => ({ token, logprob: -((index % 7) + 1) / 100, bytes: [...Buffer.from(token)] });
  return {
    content: splitIntoDeltas(text).map((token, index) => ({
      ...entry(token, index),
      top_logprobs: Array.from({ length: top }, (_, rank) => entry(rank === 0 ? token : `${token.trim()}~${rank}`, index + rank)),
    })),
    refusal: null,
  };
}

/** One tool call of a reply. */
export interface MockToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** What the mock decided to answer: text, or calls to tools (two at once when parallel calls are allowed). */
export type MockReply = { kind: 'text'; text: string } | { kind: 'tool'; calls: MockToolCall[] };

/** Fixed creation time, so replies are byte-for-byte deterministic. */
const CREATED = 1_700_000_000;
const FINGERPRINT = 'fp_switchyard_mock';

/**
 * Decides the reply: a call to a tool when the request has tools, tool_choice
 * is not `none`, and either tool_choice forces one or the last user message
 * mentions "tool" or a tool's name; after a tool result, text quoting it;
 * otherwise `reply`, or an echo of the last user message. With two tools or
 * more, `parallel_tool_calls` not false and no named tool forced, two tools
 * are called in one message (as OpenAI does): the one picked, then another
 * the message mentions, else the next of the list.
 */
export function decideReply(request: MockChatRequest, reply: string | undefined, sequence: number): MockReply {
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  const lastText = contentText(lastUser?.content);
  const tools = (request.tools ?? []).map((tool) => tool.function?.name).filter((name): name is string => !!name);
  const choice = request.tool_choice;
  const last = request.messages.at(-1);
  // A tool result is answered in text (so runTools and agent loops end), unless tool_choice forces another call.
  const forcing = choice === 'required' || (typeof choice === 'object' && choice !== null);
  if (last?.role === 'tool' && !forcing) return { kind: 'text', text: reply ?? `The tool answered: ${contentText(last.content)}` };
  if (tools.length > 0 && choice !== 'none') {
    const forced = typeof choice === 'object' && choice !== null ? (choice as { function?: { name?: string } }).function?.name : undefined;
    const mentioned = tools.find((name) => lastText.includes(name));
    const asked = choice === 'required' || forced !== undefined || mentioned !== undefined || /\btools?\b/i.test(lastText);
    if (asked) {
      const name = forced ?? mentioned ?? tools[0];
      const names = [name];
      if (forced === undefined && request.parallel_tool_calls !== false && tools.length > 1) {
        const others = tools.filter((other) => other !== name);
        names.push(others.find((other) => lastText.includes(other)) ?? others[0]);
      }
      const args = JSON.stringify({ input: lastText });
      return { kind: 'tool', calls: names.map((called, index) => ({ id: `call_mock_${sequence}${index === 0 ? '' : `_${index}`}`, name: called, arguments: args })) };
    }
  }
  return { kind: 'text', text: reply ?? (lastText || 'Hello from the Switchyard mock.') };
}

/** Deterministic token counts: words plus a small per-message overhead. */
export function usageFor(request: MockChatRequest, reply: MockReply) {
  const words = (text: string): number => (text.trim() === '' ? 0 : text.trim().split(/\s+/).length);
  const promptTokens = request.messages.reduce((sum, message) => sum + 3 + words(contentText(message.content)), 3);
  const completionTokens = Math.max(1, reply.kind === 'text' ? words(reply.text) : reply.calls.reduce((sum, call) => sum + words(call.arguments) + 5, 0));
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** A non-streaming `chat.completion`: `n` identical choices, cut at the token limit, with logprobs when asked. */
export function chatCompletion(request: MockChatRequest, decided: MockReply, id: string) {
  const { reply, finishReason } = limitReply(request, decided);
  const message =
    reply.kind === 'text'
      ? { role: 'assistant', content: reply.text, refusal: null, annotations: [] }
      : {
          role: 'assistant',
          content: null,
          refusal: null,
          annotations: [],
          tool_calls: reply.calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
        };
  return {
    id,
    object: 'chat.completion',
    created: CREATED,
    model: request.model,
    choices: Array.from({ length: choiceCount(request) }, (_, index) => ({
      index,
      message,
      logprobs: reply.kind === 'text' ? logprobsFor(request, reply.text) : null,
      finish_reason: finishReason,
    })),
    usage: usageFor(request, reply),
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  };
}

/** Builds the `data:` lines of a streamed completion, chunk by chunk. */
export function createChunkWriter(request: MockChatRequest, id: string) {
  const includeUsage = request.stream_options?.include_usage === true;
  // Every chunk opens with these fields, in this order; `choices` and `usage` follow.
  const line = (rest: Record<string, unknown>): string =>
    `data: ${JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created: CREATED,
      model: request.model,
      service_tier: 'default',
      system_fingerprint: FINGERPRINT,
      ...rest,
    })}\n\n`;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null, choice = 0, logprobs: unknown = null): string =>
    line({ choices: [{ index: choice, delta, logprobs, finish_reason: finishReason }], ...(includeUsage ? { usage: null } : {}) });
  return {
    role: (choice = 0): string => chunk({ role: 'assistant', content: '', refusal: null }, null, choice),
    content: (text: string, choice = 0): string => chunk({ content: text }, null, choice, logprobsFor(request, text)),
    /** The first chunk of the `index`th tool call (the first carries the role). */
    toolStart: (call: MockToolCall, index: number): string =>
      chunk(
        {
          ...(index === 0 ? { role: 'assistant', content: null } : {}),
          tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
          ...(index === 0 ? { refusal: null } : {}),
        },
        null,
      ),
    toolArguments: (text: string, index: number): string => chunk({ tool_calls: [{ index, function: { arguments: text } }] }, null),
    finish: (reason: string, choice = 0): string => chunk({}, reason, choice),
    /** The usage chunk (empty choices), only when the request asked for it. */
    usage: (reply: MockReply): string | undefined =>
      includeUsage ? line({ choices: [], usage: usageFor(request, reply) }) : undefined,
    done: (): string => 'data: [DONE]\n\n',
  };
}

/** GET /v1/models */
export function modelList(models: string[]) {
  return {
    object: 'list',
    data: models.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'system' })),
  };
}

/** POST /v1/embeddings: vectors as floats, or as base64 little-endian float32 with `encoding_format: "base64"`. */
export function embeddingList(model: string, inputs: string[], dimensions: number, encoding: 'float' | 'base64' = 'float') {
  const tokens = inputs.reduce((sum, input) => sum + Math.max(1, input.trim().split(/\s+/).length), 0);
  return {
    object: 'list',
    data: inputs.map((input, index) => {
      const vector = embeddingFor(input, dimensions);
      if (encoding === 'float') return { object: 'embedding', index, embedding: vector };
      const bytes = Buffer.alloc(vector.length * 4);
      vector.forEach((value, at) => bytes.writeFloatLE(value, at * 4));
      return { object: 'embedding', index, embedding: bytes.toString('base64') };
    }),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/** An error body in OpenAI's shape. */
export function errorBody(message: string, type: string, code: string | null = null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

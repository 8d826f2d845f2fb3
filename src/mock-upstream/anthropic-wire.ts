import { contentText } from './mock-wire.js';

/*
 * Payloads in Anthropic's exact wire format for the Anthropic mock server:
 * messages, stream events, paginated model lists and error bodies.
 */

/** The part of a Messages request body the mock reads. */
export interface MockMessagesRequest {
  model: string;
  max_tokens: number;
  messages: Array<{ role: string; content: unknown }>;
  system?: unknown;
  stream?: boolean;
  stop_sequences?: string[];
  tools?: Array<{ name?: string }>;
  tool_choice?: { type?: string; name?: string; disable_parallel_tool_use?: boolean };
}

/** One `tool_use` block of a reply. */
export interface MockToolUse {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** What the mock decided to answer: text (possibly cut short), or tool calls (two at once when parallel use is allowed). */
export type MockMessageReply =
  | { kind: 'text'; text: string; stopReason: 'end_turn' | 'max_tokens' | 'stop_sequence'; stopSequence: string | null }
  | { kind: 'tool'; calls: MockToolUse[] };

/** Fixed release date of the listed models, so replies are deterministic. */
const CREATED_AT = '2025-10-01T00:00:00Z';

/**
 * Decides the reply: a `tool_use` when the request has tools, tool_choice is
 * not `none`, and either tool_choice is `any`/`tool` or the last user
 * message's text contains "[tool]"; otherwise `reply`, or an echo of the last
 * user text. With two tools or more, no named tool forced and
 * `disable_parallel_tool_use` not set, two `tool_use` blocks (the first two
 * tools). Text honours `stop_sequences` and `max_tokens` (one word, one token).
 */
export function decideMessageReply(request: MockMessagesRequest, reply: string | undefined, sequence: number): MockMessageReply {
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  const lastText = contentText(lastUser?.content);
  const tools = (request.tools ?? []).map((tool) => tool.name).filter((name): name is string => !!name);
  const choice = request.tool_choice?.type;
  if (tools.length > 0 && choice !== 'none' && (choice === 'any' || choice === 'tool' || lastText.includes('[tool]'))) {
    const name = choice === 'tool' && request.tool_choice?.name ? request.tool_choice.name : tools[0];
    const names = [name];
    if (choice !== 'tool' && request.tool_choice?.disable_parallel_tool_use !== true && tools.length > 1) names.push(tools[1]);
    const id = `toolu_mock_${String(sequence).padStart(6, '0')}`;
    return { kind: 'tool', calls: names.map((called, index) => ({ id: index === 0 ? id : `${id}_${index}`, name: called, input: { input: lastText } })) };
  }
  let text = reply ?? (lastText || 'Hello from the Switchyard mock.');
  for (const stop of request.stop_sequences ?? []) {
    const at = stop === '' ? -1 : text.indexOf(stop);
    if (at !== -1) return { kind: 'text', text: text.slice(0, at), stopReason: 'stop_sequence', stopSequence: stop };
  }
  const words = text.match(/\S+\s*/g) ?? [];
  if (words.length > request.max_tokens) {
    text = words.slice(0, request.max_tokens).join('').trimEnd();
    return { kind: 'text', text, stopReason: 'max_tokens', stopSequence: null };
  }
  return { kind: 'text', text, stopReason: 'end_turn', stopSequence: null };
}

/** Deterministic token counts: words plus a small per-message overhead. */
export function messageUsage(request: MockMessagesRequest, reply: MockMessageReply) {
  const words = (text: string): number => (text.trim() === '' ? 0 : text.trim().split(/\s+/).length);
  const system = typeof request.system === 'string' ? request.system : contentText(request.system);
  const inputTokens = request.messages.reduce((sum, message) => sum + 3 + words(contentText(message.content)), 3 + words(system));
  const outputTokens = Math.max(1, reply.kind === 'text' ? words(reply.text) : reply.calls.reduce((sum, call) => sum + words(JSON.stringify(call.input)) + 5, 0));
  return { input_tokens: inputTokens, output_tokens: outputTokens };
}

/** The full `usage` object as Anthropic sends it in a Message. */
function fullUsage(inputTokens: number, outputTokens: number) {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

/** The content blocks of a reply. */
function contentOf(reply: MockMessageReply) {
  return reply.kind === 'text'
    ? [{ type: 'text', text: reply.text }]
    : reply.calls.map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: call.input }));
}

/** A non-streaming Message. */
export function messageResponse(request: MockMessagesRequest, reply: MockMessageReply, id: string) {
  const usage = messageUsage(request, reply);
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: request.model,
    content: contentOf(reply),
    stop_reason: reply.kind === 'text' ? reply.stopReason : 'tool_use',
    stop_sequence: reply.kind === 'text' ? reply.stopSequence : null,
    usage: fullUsage(usage.input_tokens, usage.output_tokens),
  };
}

/** One server-sent event as Anthropic writes it: the event name, then the same `type` in the data. */
export function anthropicEvent(data: { type: string } & Record<string, unknown>): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Builds the events of a streamed Message, in Anthropic's order. */
export function createEventWriter(request: MockMessagesRequest, reply: MockMessageReply, id: string) {
  const usage = messageUsage(request, reply);
  return {
    messageStart: (): string =>
      anthropicEvent({
        type: 'message_start',
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model: request.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: fullUsage(usage.input_tokens, 1),
        },
      }),
    /** The `index`th block's start: the text block, or the `index`th tool_use. */
    blockStart: (index = 0): string => {
      const call = reply.kind === 'tool' ? reply.calls[index] : undefined;
      return anthropicEvent({
        type: 'content_block_start',
        index,
        content_block: call === undefined ? { type: 'text', text: '' } : { type: 'tool_use', id: call.id, name: call.name, input: {} },
      });
    },
    ping: (): string => anthropicEvent({ type: 'ping' }),
    textDelta: (text: string): string => anthropicEvent({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
    jsonDelta: (partialJson: string, index = 0): string =>
      anthropicEvent({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partialJson } }),
    blockStop: (index = 0): string => anthropicEvent({ type: 'content_block_stop', index }),
    messageDelta: (): string =>
      anthropicEvent({
        type: 'message_delta',
        delta: {
          stop_reason: reply.kind === 'text' ? reply.stopReason : 'tool_use',
          stop_sequence: reply.kind === 'text' ? reply.stopSequence : null,
        },
        usage: { output_tokens: usage.output_tokens },
      }),
    messageStop: (): string => anthropicEvent({ type: 'message_stop' }),
  };
}

/** A model object of GET /v1/models. */
export function modelInfo(id: string) {
  return { type: 'model', id, display_name: displayName(id), created_at: CREATED_AT };
}

/**
 * One page of GET /v1/models: `limit` (default 20) models after `after_id`
 * or before `before_id`, with `has_more`, `first_id` and `last_id`.
 */
export function modelPage(models: string[], query: URLSearchParams) {
  const limit = Math.min(1000, Math.max(1, Number(query.get('limit') ?? 20) || 20));
  const afterId = query.get('after_id');
  const beforeId = query.get('before_id');
  let page: string[];
  let hasMore: boolean;
  if (beforeId !== null) {
    const end = Math.max(0, models.indexOf(beforeId));
    page = models.slice(Math.max(0, end - limit), end);
    hasMore = end - limit > 0;
  } else {
    const start = afterId !== null ? models.indexOf(afterId) + 1 : 0;
    page = start === 0 && afterId !== null ? [] : models.slice(start, start + limit);
    hasMore = start + limit < models.length && page.length > 0;
  }
  return { data: page.map(modelInfo), has_more: hasMore, first_id: page[0] ?? null, last_id: page.at(-1) ?? null };
}

/** `claude-haiku-4-5` -> `Claude Haiku 4.5`. */
function displayName(id: string): string {
  return id
    .split('-')
    .reduce<string[]>((words, piece) => {
      const previous = words.at(-1);
      if (/^\d+$/.test(piece) && previous !== undefined && /^\d+(\.\d+)*$/.test(previous) && piece.length < 3) {
        words[words.length - 1] = `${previous}.${piece}`;
      } else if (!/^\d{8}$/.test(piece)) {
        words.push(piece.charAt(0).toUpperCase() + piece.slice(1));
      }
      return words;
    }, [])
    .join(' ');
}

/** An error body in Anthropic's shape. */
export function anthropicErrorBody(type: string, message: string, requestId = 'req_mock') {
  return { type: 'error', error: { type, message }, request_id: requestId };
}

/**
 * Checks a Messages request as Anthropic does, returning the error message
 * of the first problem: model, max_tokens and messages present, roles
 * `user`/`assistant` only (system belongs in `system`), no empty text
 * blocks, and every `tool_result` answering a `tool_use` of the message before it.
 */
export function checkMessagesRequest(body: unknown): string | undefined {
  const request = body as Partial<MockMessagesRequest> | undefined;
  if (typeof request?.model !== 'string') return 'model: Field required';
  if (typeof request.max_tokens !== 'number' || !Number.isInteger(request.max_tokens) || request.max_tokens < 1) {
    return 'max_tokens: Field required (a positive integer)';
  }
  if (!Array.isArray(request.messages) || request.messages.length === 0) return 'messages: at least one message is required';
  let previousToolUses = new Set<string>();
  for (const [index, message] of request.messages.entries()) {
    if (message?.role !== 'user' && message?.role !== 'assistant') {
      return `messages.${index}.role: Input should be 'user' or 'assistant'`;
    }
    const blocks: Array<Record<string, unknown>> = Array.isArray(message.content)
      ? message.content
      : [{ type: 'text', text: message.content }];
    const toolUses = new Set<string>();
    for (const [blockIndex, block] of blocks.entries()) {
      if (typeof block !== 'object' || block === null) return `messages.${index}.content.${blockIndex}: Input should be an object`;
      if (block.type === 'text' && (typeof block.text !== 'string' || block.text === '')) {
        return `messages.${index}.content.${blockIndex}: text content blocks must be non-empty`;
      }
      if (block.type === 'tool_use' && typeof block.id === 'string') toolUses.add(block.id);
      if (block.type === 'tool_result' && !previousToolUses.has(String(block.tool_use_id))) {
        return `messages.${index}.content.${blockIndex}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
    previousToolUses = message.role === 'assistant' ? toolUses : new Set();
  }
  return undefined;
}

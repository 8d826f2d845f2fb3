import { parseJson } from '../core/safe-json.js';
import type { ContentPart, Message, ToolCall, ToolChoice } from '../spec/messages.js';
import type { GenerationSettings } from '../spec/request.js';
import type { ChatResponse, FinishReason, ModelInfo, Usage } from '../spec/response.js';
import { isModelledBlock, type AnthropicContentBlock, type AnthropicMessagesRequest, type AnthropicModelledBlock } from './anthropic-wire-schemas.js';
import { wireRequestOf, type WireFieldPlan } from './wire-extras.js';

/**
 * The Messages fields the neutral settings model; every other field travels
 * verbatim to an Anthropic-wire provider and is refused by the others unless
 * its value is one of `noOps`.
 */
export const ANTHROPIC_MESSAGES_FIELDS: WireFieldPlan = {
  modelled: new Set([
    'model',
    'max_tokens',
    'messages',
    'system',
    'stream',
    'temperature',
    'top_p',
    'top_k',
    'stop_sequences',
    'tools',
    'tool_choice',
    'metadata',
    'thinking',
    'output_config',
  ]),
  noOps: {
    service_tier: ['auto'],
  },
};

/*
 * Anthropic Messages wire <-> Switchyard spec: the request mapping and the
 * response body. The SSE event sequence is in anthropic-stream-events.ts.
 */

type Block = AnthropicModelledBlock;
type ImageBlock = Extract<Block, { type: 'image' }>;

function toImagePart(block: ImageBlock): ContentPart {
  return block.source.type === 'url'
    ? { type: 'image', url: block.source.url }
    : { type: 'image', data: block.source.data, mediaType: block.source.media_type };
}

function toDocumentPart(block: Extract<Block, { type: 'document' }>): ContentPart {
  const title = block.title ? { title: block.title } : {};
  const source = block.source;
  if (source.type === 'url') return { type: 'document', url: source.url, mediaType: 'application/pdf', ...title };
  if (source.type === 'text') return { type: 'document', data: Buffer.from(source.data, 'utf8').toString('base64'), mediaType: 'text/plain', ...title };
  return { type: 'document', data: source.data, mediaType: source.media_type, ...title };
}

/** Collects the paths of blocks the neutral model lacks: only an Anthropic upstream can take them. */
type Unmodelled = Record<string, unknown>;

function modelled(content: AnthropicContentBlock[], path: string, unmodelled: Unmodelled): Block[] {
  const blocks: Block[] = [];
  content.forEach((block, index) => {
    if (isModelledBlock(block)) blocks.push(block);
    else unmodelled[`${path}.${index}`] = block.type;
  });
  return blocks;
}

function toolResultContent(block: Extract<Block, { type: 'tool_result' }>): string | ContentPart[] {
  const content = block.content ?? '';
  if (typeof content === 'string') return content;
  if (content.every((part) => part.type === 'text')) return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
  return content.map((part) => (part.type === 'text' ? { type: 'text' as const, text: part.text } : toImagePart(part)));
}

function fromUserMessage(content: Block[]): Message[] {
  const toolMessages: Message[] = [];
  const parts: ContentPart[] = [];
  for (const block of content) {
    if (block.type === 'tool_result') toolMessages.push({ role: 'tool', toolCallId: block.tool_use_id, content: toolResultContent(block) });
    else if (block.type === 'text') parts.push({ type: 'text', text: block.text });
    else if (block.type === 'image') parts.push(toImagePart(block));
    else if (block.type === 'document') parts.push(toDocumentPart(block));
    // tool_use and thinking blocks in a user turn have no meaning (Anthropic refuses them too).
  }
  const onlyText = parts.every((part) => part.type === 'text');
  const userContent = onlyText ? parts.map((part) => (part as { text: string }).text).join('') : parts;
  return parts.length > 0 ? [...toolMessages, { role: 'user', content: userContent }] : toolMessages;
}

/** An assistant turn: thinking blocks become reasoning parts (kept in order before the text), tool_use blocks tool calls. */
function fromAssistantMessage(content: Block[]): Message {
  const reasoning: ContentPart[] = [];
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
    else if (block.type === 'thinking') reasoning.push({ type: 'reasoning', text: block.thinking, ...(block.signature !== undefined ? { signature: block.signature } : {}) });
    else if (block.type === 'redacted_thinking') reasoning.push({ type: 'reasoning', text: '', redacted: block.data });
  }
  const calls = toolCalls.length > 0 ? { toolCalls } : {};
  if (reasoning.length > 0) return { role: 'assistant', content: [...reasoning, ...(text !== '' ? [{ type: 'text' as const, text }] : [])], ...calls };
  return { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, ...calls };
}

function toToolChoice(choice: NonNullable<AnthropicMessagesRequest['tool_choice']>): ToolChoice {
  if (choice.type === 'any') return 'required';
  if (choice.type === 'tool') return { name: choice.name };
  return choice.type;
}

/**
 * Maps a validated Messages request onto the spec's generation settings
 * (`system` first, as a system message), with the body itself as
 * `wireRequest` (same-wire passthrough). Blocks the neutral model lacks are
 * extras by path (`messages.0.content.2`), refused by other providers.
 */
export function fromAnthropicRequest(body: AnthropicMessagesRequest): GenerationSettings {
  const messages: Message[] = [];
  const unmodelled: Unmodelled = {};
  if (body.system !== undefined) {
    const system = typeof body.system === 'string' ? body.system : body.system.map((block) => block.text).join('\n');
    if (system !== '') messages.push({ role: 'system', content: system });
  }
  body.messages.forEach((message, index) => {
    if (typeof message.content === 'string') {
      messages.push({ role: message.role, content: message.content });
      return;
    }
    const blocks = modelled(message.content, `messages.${index}.content`, unmodelled);
    if (message.role === 'user') messages.push(...fromUserMessage(blocks));
    else messages.push(fromAssistantMessage(blocks));
  });
  const settings: GenerationSettings = { messages, maxTokens: body.max_tokens };
  if (body.temperature !== undefined) settings.temperature = body.temperature;
  if (body.top_p !== undefined) settings.topP = body.top_p;
  if (body.top_k !== undefined) settings.topK = body.top_k;
  if (body.stop_sequences && body.stop_sequences.length > 0) settings.stop = body.stop_sequences;
  if (body.tools && body.tools.length > 0) {
    settings.tools = body.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.input_schema,
      ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
    }));
  }
  if (body.tool_choice !== undefined) {
    settings.toolChoice = toToolChoice(body.tool_choice);
    if ('disable_parallel_tool_use' in body.tool_choice && body.tool_choice.disable_parallel_tool_use === true) settings.parallelToolCalls = false;
  }
  if (body.metadata?.user_id) settings.user = body.metadata.user_id;
  if (body.thinking?.type === 'enabled') settings.reasoning = { budgetTokens: body.thinking.budget_tokens };
  if (body.output_config?.format) settings.responseFormat = { type: 'json_schema', schema: body.output_config.format.schema };
  if (body.output_config?.effort) settings.reasoning = { ...settings.reasoning, effort: body.output_config.effort };
  const wire = wireRequestOf('anthropic-messages', body, ANTHROPIC_MESSAGES_FIELDS);
  settings.wireRequest = Object.keys(unmodelled).length > 0 ? { ...wire, extras: { ...wire.extras, ...unmodelled } } : wire;
  return settings;
}

/** Anthropic's stop_reason for a spec finish reason (`stop_sequence` when the answer says which sequence stopped it). */
export function toAnthropicStopReason(reason: FinishReason, stopSequence?: string): 'end_turn' | 'max_tokens' | 'tool_use' | 'refusal' | 'stop_sequence' {
  if (reason === 'stop' && stopSequence !== undefined) return 'stop_sequence';
  if (reason === 'length') return 'max_tokens';
  if (reason === 'tool-calls') return 'tool_use';
  if (reason === 'content-filter') return 'refusal';
  return 'end_turn';
}

/** Anthropic's usage object. */
export function toAnthropicUsage(usage: Usage): { input_tokens: number; output_tokens: number } {
  return { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens };
}

/** A tool call's arguments as the object Anthropic's `input` holds; unparsable arguments become `{}`. */
export function toolInput(argumentsText: string): unknown {
  if (argumentsText.trim() === '') return {};
  try {
    const value = parseJson(argumentsText, 'tool call arguments');
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

/** The `message` body of a non-streamed response. */
export function toAnthropicMessage(response: ChatResponse) {
  const content: Array<
    { type: 'thinking'; thinking: string; signature: string } | { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown }
  > = [];
  for (const part of response.reasoning ?? []) content.push({ type: 'thinking', thinking: part.text, signature: part.signature ?? '' });
  if (response.content !== '' || response.toolCalls.length === 0) content.push({ type: 'text', text: response.content });
  for (const call of response.toolCalls) content.push({ type: 'tool_use', id: call.id, name: call.name, input: toolInput(call.arguments) });
  return {
    id: response.id,
    type: 'message' as const,
    role: 'assistant' as const,
    model: response.model,
    content,
    stop_reason: toAnthropicStopReason(response.finishReason, response.stopSequence),
    stop_sequence: response.stopSequence ?? null,
    usage: toAnthropicUsage(response.usage),
  };
}

/** One model in Anthropic's shape (GET /v1/models/{id}). */
export function toAnthropicModel(model: ModelInfo) {
  return { type: 'model' as const, id: model.id, display_name: model.name, created_at: new Date((model.createdAt ?? 0) * 1000).toISOString() };
}

/** GET /v1/models in Anthropic's page shape: `limit` models after `after_id` (default all), `has_more`, `first_id`, `last_id`. */
export function toAnthropicModelPage(models: ModelInfo[], query: { limit?: number; afterId?: string }) {
  const start = query.afterId === undefined ? 0 : models.findIndex((model) => model.id === query.afterId) + 1;
  const limit = query.limit ?? models.length;
  const page = start === 0 && query.afterId !== undefined ? [] : models.slice(start, start + limit);
  return {
    data: page.map(toAnthropicModel),
    has_more: page.length > 0 && start + limit < models.length,
    first_id: page[0]?.id ?? null,
    last_id: page.at(-1)?.id ?? null,
  };
}

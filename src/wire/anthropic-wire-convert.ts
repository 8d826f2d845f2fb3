import { parseJson } from '../core/safe-json.js';
import type { ContentPart, Message, ToolCall, ToolChoice } from '../spec/messages.js';
import type { GenerationSettings } from '../spec/request.js';
import type { ChatResponse, FinishReason, Usage } from '../spec/response.js';
import type { AnthropicContentBlock, AnthropicMessagesRequest } from './anthropic-wire-schemas.js';
import { wireRequestOf, type WireFieldPlan } from './wire-extras.js';

/**
 * The Messages fields the neutral settings model; every other field travels
 * verbatim to an Anthropic-wire provider and is refused by the others unless
 * its value is one of `noOps`.
 */
export const ANTHROPIC_MESSAGES_FIELDS: WireFieldPlan = {
  modelled: new Set(['model', 'max_tokens', 'messages', 'system', 'stream', 'temperature', 'top_p', 'stop_sequences', 'tools', 'tool_choice', 'metadata']),
  noOps: {
    thinking: [{ type: 'disabled' }],
    service_tier: ['auto'],
  },
};

/*
 * Anthropic Messages wire <-> Switchyard spec: the request mapping and the
 * response body. The SSE event sequence is in anthropic-stream-events.ts.
 */

type ImageBlock = Extract<AnthropicContentBlock, { type: 'image' }>;

function toImagePart(block: ImageBlock): ContentPart {
  return block.source.type === 'url'
    ? { type: 'image', url: block.source.url }
    : { type: 'image', data: block.source.data, mediaType: block.source.media_type };
}

function toolResultContent(block: Extract<AnthropicContentBlock, { type: 'tool_result' }>): string | ContentPart[] {
  const content = block.content ?? '';
  if (typeof content === 'string') return content;
  if (content.every((part) => part.type === 'text')) return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
  return content.map((part) => (part.type === 'text' ? { type: 'text' as const, text: part.text } : toImagePart(part)));
}

function fromUserMessage(content: AnthropicContentBlock[]): Message[] {
  const toolMessages: Message[] = [];
  const parts: ContentPart[] = [];
  for (const block of content) {
    if (block.type === 'tool_result') toolMessages.push({ role: 'tool', toolCallId: block.tool_use_id, content: toolResultContent(block) });
    else if (block.type === 'text') parts.push({ type: 'text', text: block.text });
    else if (block.type === 'image') parts.push(toImagePart(block));
    // A tool_use block in a user turn has no meaning; it is dropped.
  }
  const onlyText = parts.every((part) => part.type === 'text');
  const userContent = onlyText ? parts.map((part) => (part as { text: string }).text).join('') : parts;
  return parts.length > 0 ? [...toolMessages, { role: 'user', content: userContent }] : toolMessages;
}

function fromAssistantMessage(content: AnthropicContentBlock[]): Message {
  const text = content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  const toolCalls: ToolCall[] = content
    .filter((block): block is Extract<AnthropicContentBlock, { type: 'tool_use' }> => block.type === 'tool_use')
    .map((block) => ({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) }));
  return { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, ...(toolCalls.length > 0 ? { toolCalls } : {}) };
}

function toToolChoice(choice: NonNullable<AnthropicMessagesRequest['tool_choice']>): ToolChoice {
  if (choice.type === 'any') return 'required';
  if (choice.type === 'tool') return { name: choice.name };
  return choice.type;
}

/**
 * Maps a validated Messages request onto the spec's generation settings
 * (`system` first, as a system message), with the body itself as
 * `wireRequest` (same-wire passthrough).
 */
export function fromAnthropicRequest(body: AnthropicMessagesRequest): GenerationSettings {
  const messages: Message[] = [];
  if (body.system !== undefined) {
    const system = typeof body.system === 'string' ? body.system : body.system.map((block) => block.text).join('\n');
    if (system !== '') messages.push({ role: 'system', content: system });
  }
  for (const message of body.messages) {
    if (typeof message.content === 'string') messages.push({ role: message.role, content: message.content });
    else if (message.role === 'user') messages.push(...fromUserMessage(message.content));
    else messages.push(fromAssistantMessage(message.content));
  }
  const settings: GenerationSettings = { messages, maxTokens: body.max_tokens };
  if (body.temperature !== undefined) settings.temperature = body.temperature;
  if (body.top_p !== undefined) settings.topP = body.top_p;
  if (body.stop_sequences && body.stop_sequences.length > 0) settings.stop = body.stop_sequences;
  if (body.tools && body.tools.length > 0) {
    settings.tools = body.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.input_schema,
    }));
  }
  if (body.tool_choice !== undefined) settings.toolChoice = toToolChoice(body.tool_choice);
  if (body.metadata?.user_id) settings.user = body.metadata.user_id;
  settings.wireRequest = wireRequestOf('anthropic-messages', body, ANTHROPIC_MESSAGES_FIELDS);
  return settings;
}

/** Anthropic's stop_reason for a spec finish reason. */
export function toAnthropicStopReason(reason: FinishReason): 'end_turn' | 'max_tokens' | 'tool_use' | 'refusal' {
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
  const content: Array<{ type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown }> = [];
  if (response.content !== '' || response.toolCalls.length === 0) content.push({ type: 'text', text: response.content });
  for (const call of response.toolCalls) content.push({ type: 'tool_use', id: call.id, name: call.name, input: toolInput(call.arguments) });
  return {
    id: response.id,
    type: 'message' as const,
    role: 'assistant' as const,
    model: response.model,
    content,
    stop_reason: toAnthropicStopReason(response.finishReason),
    stop_sequence: null,
    usage: toAnthropicUsage(response.usage),
  };
}

import type { DriverCallOptions } from '../../spec/driver.js';
import { parseToolArguments } from '../../core/tool-arguments.js';
import { cannotHonour, refuseForeignExtras, withProviderOptions } from '../../core/wire-passthrough.js';
import { budgetForReasoning } from '../../core/reasoning-budget.js';
import { SwitchyardError } from '../../spec/errors.js';
import type { ContentPart, Message, ToolCall } from '../../spec/messages.js';
import type { CallWarning } from '../../spec/response.js';

/** An image block's source: base64 data or a URL Anthropic fetches itself. */
export type AnthropicImageSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string };

/** A document block's source: base64 (PDF), plain text, or a URL Anthropic fetches itself. */
export type AnthropicDocumentSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'text'; media_type: 'text/plain'; data: string }
  | { type: 'url'; url: string };

/** A content block Switchyard sends. */
export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | { type: 'image'; source: AnthropicImageSource }
  | { type: 'document'; source: AnthropicDocumentSource; title?: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: string | ToolResultBlock[] };

/** What a tool result may hold. */
type ToolResultBlock = { type: 'text'; text: string } | { type: 'image'; source: AnthropicImageSource } | { type: 'document'; source: AnthropicDocumentSource; title?: string };

/** An Anthropic message as sent on the wire; only `user` and `assistant` exist (system is a top-level field). */
export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string | AnthropicContentBlock[];
}

/** Converted messages: the hoisted system prompt (if any) and the conversation. */
export interface AnthropicPrompt {
  system?: string;
  messages: AnthropicMessage[];
}

/** A converted request body plus warnings for settings Anthropic cannot honour. */
export interface AnthropicMessagesBody {
  body: Record<string, unknown>;
  warnings: CallWarning[];
}

/** `max_tokens` is required by Anthropic; this is sent when the call gives none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/**
 * Whether Anthropic refuses `temperature` and `top_p` together for a model:
 * Claude Opus 4.1, the 4.5 family and later do ("`temperature` and `top_p`
 * cannot both be specified for this model"); Claude 4.0 and 3.x take both.
 */
export function refusesTemperatureWithTopP(modelId: string): boolean {
  const match = /claude-(?:opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?!\d)/.exec(modelId);
  if (match === null) return false;
  const major = Number(match[1]);
  const minor = match[2] === undefined ? 0 : Number(match[2]);
  return major > 4 || (major === 4 && minor >= 1);
}

/**
 * Builds the Messages API body from a driver call: the system prompt hoisted
 * to `system`, messages, `max_tokens` (default 4096, Anthropic requires it),
 * temperature (0 to 1; above 1 is refused), top_p (with temperature too only
 * where the model takes both, else refused), stop ->
 * `stop_sequences`, user -> `metadata.user_id`, tools -> `input_schema`, and
 * toolChoice auto / any (required) / none / `{ type: 'tool', name }`.
 * topK -> `top_k`, a JSON schema -> `output_config.format`, reasoning ->
 * `thinking` (an effort converted to a budget), parallelToolCalls false ->
 * `disable_parallel_tool_use`, tool `strict`. `seed`, schema-less JSON,
 * penalties and logprobs have no Anthropic equivalent: refused (a 400 naming
 * the field and the provider), on a gateway call and a library call alike.
 * `providerOptions[provider]` is merged over the result; the fields of
 * another wire that the neutral settings do not model are refused.
 */
export function buildAnthropicMessagesBody(options: DriverCallOptions, stream: boolean, provider = 'anthropic'): AnthropicMessagesBody {
  refuseForeignExtras(options, provider);
  const warnings: CallWarning[] = [];
  const prompt = convertToAnthropicMessages(options.messages, warnings);
  const body: Record<string, unknown> = {
    model: options.modelId,
    max_tokens: options.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    ...(prompt.system !== undefined ? { system: prompt.system } : {}),
    messages: prompt.messages,
  };

  if (options.temperature !== undefined) {
    if (options.temperature > 1) cannotHonour(options, provider, 'temperature', `Anthropic's temperature ranges from 0 to 1; ${options.temperature} is out of range`);
    body.temperature = options.temperature;
  }
  if (options.topP !== undefined) {
    if (options.temperature !== undefined && refusesTemperatureWithTopP(options.modelId)) {
      cannotHonour(options, provider, 'topP', `${options.modelId} takes temperature or top_p, not both; send one of them`);
    }
    body.top_p = options.topP;
  }
  if (options.stop !== undefined && options.stop.length > 0) body.stop_sequences = options.stop;
  if (options.user !== undefined) body.metadata = { user_id: options.user };
  if (options.seed !== undefined) cannotHonour(options, provider, 'seed', 'Anthropic does not support seed');
  const format = options.responseFormat;
  if (format?.type === 'json_schema') body.output_config = { format: { type: 'json_schema', schema: format.schema } };
  if (format?.type === 'json') {
    cannotHonour(options, provider, 'responseFormat', 'Anthropic has no schema-less JSON mode; give a JSON schema (json_schema) instead');
  }
  if (options.topK !== undefined) body.top_k = options.topK;
  for (const setting of ['frequencyPenalty', 'presencePenalty'] as const) {
    if (options[setting] !== undefined) cannotHonour(options, provider, setting, `Anthropic has no ${setting}`);
  }
  if (options.logprobs === true) cannotHonour(options, provider, 'logprobs', 'Anthropic returns no log probabilities');
  if (options.reasoning !== undefined) {
    const budget = budgetForReasoning(options.reasoning);
    body.thinking = { type: 'enabled', budget_tokens: budget };
    // Anthropic counts thinking inside max_tokens, which must exceed the budget.
    if (options.maxTokens === undefined) body.max_tokens = budget + ANTHROPIC_DEFAULT_MAX_TOKENS;
    else if (options.maxTokens <= budget) cannotHonour(options, provider, 'maxTokens', `must exceed the thinking budget (${budget} tokens) on Anthropic`);
  }

  const tools = options.tools ?? [];
  if (tools.length > 0) {
    body.tools = tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      input_schema: tool.parameters,
      ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
    }));
  }
  const choice = options.toolChoice;
  if (choice !== undefined && tools.length > 0) {
    body.tool_choice =
      choice === 'auto' ? { type: 'auto' } : choice === 'required' ? { type: 'any' } : choice === 'none' ? { type: 'none' } : { type: 'tool', name: choice.name };
  } else if (choice !== undefined && choice !== 'none' && choice !== 'auto') {
    warnings.push({ type: 'unsupported-setting', setting: 'toolChoice', message: 'toolChoice needs tools; it was not sent' });
  }
  if (options.parallelToolCalls === false && tools.length > 0 && choice !== 'none') {
    body.tool_choice = { ...((body.tool_choice as object | undefined) ?? { type: 'auto' }), disable_parallel_tool_use: true };
  }

  if (stream) body.stream = true;
  return { body: withProviderOptions(body, options, provider), warnings };
}

/**
 * Converts spec messages to Anthropic's: system messages are hoisted into one
 * `system` string (joined by blank lines); tool messages become user
 * `tool_result` blocks; assistant `toolCalls` become `tool_use` blocks with
 * parsed input; images become base64 or url sources. Consecutive messages of
 * the same role are merged, as Anthropic expects alternating turns (and wants
 * every tool result of a turn in one user message). Empty text is dropped, as
 * Anthropic rejects empty text blocks; a message left empty is omitted.
 */
export function convertToAnthropicMessages(messages: Message[], warnings: CallWarning[] = []): AnthropicPrompt {
  const system: string[] = [];
  const converted: Array<{ role: 'user' | 'assistant'; blocks: AnthropicContentBlock[] }> = [];

  messages.forEach((message, index) => {
    if (message.role === 'system') {
      const text = systemText(message.content, index, warnings);
      if (text !== '') system.push(text);
      return;
    }
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(message, index);
    if (blocks.length === 0) {
      warnings.push({ type: 'other', message: `messages[${index}]: the message is empty and was not sent` });
      return;
    }
    const previous = converted.at(-1);
    if (previous?.role === role) previous.blocks.push(...blocks);
    else converted.push({ role, blocks });
  });

  return {
    ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
    messages: converted.map(({ role, blocks }) => ({
      role,
      content: blocks.length === 1 && blocks[0].type === 'text' ? blocks[0].text : blocks,
    })),
  };
}

function blocksOf(message: Exclude<Message, { role: 'system' }>, index: number): AnthropicContentBlock[] {
  switch (message.role) {
    case 'user':
      return contentBlocks(message.content, index);
    case 'assistant': {
      const text = message.content === null ? [] : contentBlocks(message.content, index);
      const calls = (message.toolCalls ?? []).map((call, callIndex) => toolUseBlock(call, index, callIndex));
      return [...text, ...calls];
    }
    case 'tool': {
      const content =
        typeof message.content === 'string'
          ? message.content
          : contentBlocks(message.content, index).filter((block): block is ToolResultBlock => block.type !== 'thinking' && block.type !== 'redacted_thinking');
      return [{ type: 'tool_result', tool_use_id: message.toolCallId, content }];
    }
  }
}

type MediaBlock = Extract<AnthropicContentBlock, { type: 'text' | 'image' | 'document' | 'thinking' | 'redacted_thinking' }>;

/**
 * Content parts as blocks: documents as document blocks (base64, text or
 * url sources), reasoning as thinking blocks when it carries Anthropic's
 * signature (or redacted_thinking), and left out when it does not (another
 * provider's reasoning cannot be replayed to Claude).
 */
function contentBlocks(content: string | ContentPart[], index: number): MediaBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.flatMap((part): MediaBlock[] => {
    switch (part.type) {
      case 'text':
        return part.text === '' ? [] : [{ type: 'text', text: part.text }];
      case 'image':
        return [{ type: 'image', source: imageSource(part, index) }];
      case 'document':
        return [{ type: 'document', source: documentSource(part, index), ...(part.title !== undefined ? { title: part.title } : {}) }];
      case 'reasoning':
        if (part.redacted !== undefined) return [{ type: 'redacted_thinking', data: part.redacted }];
        return part.signature !== undefined ? [{ type: 'thinking', thinking: part.text, signature: part.signature }] : [];
    }
  });
}

function documentSource(part: Extract<ContentPart, { type: 'document' }>, index: number): AnthropicDocumentSource {
  if (part.data !== undefined) {
    return part.mediaType === 'text/plain'
      ? { type: 'text', media_type: 'text/plain', data: Buffer.from(part.data, 'base64').toString('utf8') }
      : { type: 'base64', media_type: part.mediaType, data: part.data };
  }
  if (part.url !== undefined && /^https?:\/\//i.test(part.url)) return { type: 'url', url: part.url };
  throw invalid(index, 'content', 'a document part needs base64 data or an http(s) url');
}

/** A data: URL or base64 `data` becomes a base64 source; an http(s) URL a url source. */
function imageSource(part: Extract<ContentPart, { type: 'image' }>, index: number): AnthropicImageSource {
  if (part.data !== undefined) return { type: 'base64', media_type: part.mediaType ?? 'image/png', data: part.data };
  if (part.url !== undefined) {
    const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(part.url);
    if (dataUrl) return { type: 'base64', media_type: dataUrl[1], data: dataUrl[2] };
    if (/^https?:\/\//i.test(part.url)) return { type: 'url', url: part.url };
    throw invalid(index, 'content', `an image url must be http(s) or a base64 data: URL, got ${JSON.stringify(part.url.slice(0, 40))}`);
  }
  throw invalid(index, 'content', 'an image part needs a url or data');
}

function toolUseBlock(call: ToolCall, index: number, callIndex: number): AnthropicContentBlock {
  const field = `toolCalls[${callIndex}].arguments`;
  let input: Record<string, unknown>;
  try {
    input = parseToolArguments(call.arguments, field);
  } catch (error) {
    throw invalid(index, field, `tool call "${call.name}": ${(error as Error).message}`);
  }
  return { type: 'tool_use', id: call.id, name: call.name, input };
}

function systemText(content: string | ContentPart[], index: number, warnings: CallWarning[]): string {
  if (typeof content === 'string') return content;
  if (content.some((part) => part.type !== 'text')) {
    warnings.push({ type: 'other', message: `messages[${index}]: Anthropic's system prompt is text only; image parts were dropped` });
  }
  return content
    .filter((part): part is Extract<ContentPart, { type: 'text' }> => part.type === 'text')
    .map((part) => part.text)
    .join('');
}

function invalid(index: number, field: string, problem: string): SwitchyardError {
  return new SwitchyardError({
    code: 'invalid_request',
    message: `messages[${index}]: ${problem}`,
    param: `messages[${index}].${field}`,
  });
}

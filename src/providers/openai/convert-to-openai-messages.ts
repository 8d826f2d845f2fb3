import type { DriverCallOptions } from '../../spec/driver.js';
import { textOnlyContent, unsupportedPart } from '../message-text.js';
import { cannotHonour, refuseForeignExtras, withProviderOptions } from '../../core/wire-passthrough.js';
import { effortForBudget } from '../../core/reasoning-budget.js';
import { SwitchyardError } from '../../spec/errors.js';
import type { ContentPart, ImagePart, Message } from '../../spec/messages.js';
import type { CallWarning } from '../../spec/response.js';

/** An OpenAI chat message as sent upstream (the gateway's inbound shape is OpenAIMessage in wire/). */
export type OpenAIUpstreamMessage =
  | { role: 'system' | 'developer'; content: string }
  | { role: 'user'; content: string | OpenAIContentPart[] }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
    }
  | { role: 'tool'; tool_call_id: string; content: string };

/** A user content part on the wire. */
export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } }
  | { type: 'file'; file: { file_data: string; filename: string } };

/** A converted request body plus warnings for settings the model cannot honour. */
export interface OpenAIChatBody {
  body: Record<string, unknown>;
  warnings: CallWarning[];
}

/**
 * True for reasoning models (o1, o3, o4-mini, gpt-5 but not gpt-5-chat):
 * they take `max_completion_tokens` and reject `temperature`/`top_p`.
 */
export function isOpenAIReasoningModel(modelId: string): boolean {
  return /^o\d/.test(modelId) || (/^gpt-5/.test(modelId) && !modelId.includes('chat'));
}

/**
 * Builds the Chat Completions body from a driver call: messages, tools,
 * toolChoice, responseFormat (json -> json_object, json_schema), stop, seed,
 * user, temperature, topP and maxTokens (as `max_completion_tokens` for
 * reasoning models), penalties, logprobs, parallel tool calls, tool `strict`,
 * reasoning as `reasoning_effort` (a budget converted to an effort). Streaming adds `stream_options.include_usage`.
 * `providerOptions[provider]` is merged over the result; the fields of
 * another wire that the neutral settings do not model are refused.
 */
export function buildOpenAIChatBody(options: DriverCallOptions, stream: boolean, provider = 'openai'): OpenAIChatBody {
  refuseForeignExtras(options, provider);
  const warnings: CallWarning[] = [];
  const reasoning = isOpenAIReasoningModel(options.modelId);
  const body: Record<string, unknown> = {
    model: options.modelId,
    messages: convertToOpenAIMessages(options.messages, warnings),
  };

  for (const [setting, wireName, value] of [
    ['temperature', 'temperature', options.temperature],
    ['topP', 'top_p', options.topP],
  ] as const) {
    if (value === undefined) continue;
    if (reasoning) {
      cannotHonour(options, provider, setting, `${options.modelId} does not support ${setting}`);
    } else {
      body[wireName] = value;
    }
  }
  if (options.maxTokens !== undefined) body[reasoning ? 'max_completion_tokens' : 'max_tokens'] = options.maxTokens;
  if (options.stop !== undefined && options.stop.length > 0) body.stop = options.stop;
  if (options.seed !== undefined) body.seed = options.seed;
  if (options.user !== undefined) body.user = options.user;
  if (options.topK !== undefined) cannotHonour(options, provider, 'topK', 'Chat Completions has no top_k');
  if (options.frequencyPenalty !== undefined) body.frequency_penalty = options.frequencyPenalty;
  if (options.presencePenalty !== undefined) body.presence_penalty = options.presencePenalty;
  if (options.logprobs === true) {
    body.logprobs = true;
    if (options.topLogprobs !== undefined) body.top_logprobs = options.topLogprobs;
  }
  if (options.reasoning !== undefined) {
    const effort = options.reasoning.effort ?? effortForBudget(options.reasoning.budgetTokens);
    if (reasoning) body.reasoning_effort = effort;
    else cannotHonour(options, provider, 'reasoning', `${options.modelId} is not a reasoning model`);
  }

  if (options.tools !== undefined && options.tools.length > 0) {
    body.tools = options.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        parameters: tool.parameters,
        ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
      },
    }));
    if (options.parallelToolCalls !== undefined) body.parallel_tool_calls = options.parallelToolCalls;
  }
  if (options.toolChoice !== undefined) {
    body.tool_choice =
      typeof options.toolChoice === 'string'
        ? options.toolChoice
        : { type: 'function', function: { name: options.toolChoice.name } };
  }

  const format = options.responseFormat;
  if (format?.type === 'json') body.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    body.response_format = {
      type: 'json_schema',
      json_schema: {
        name: format.name ?? 'response',
        schema: format.schema,
        ...(format.strict !== undefined ? { strict: format.strict } : {}),
      },
    };
  }

  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return { body: withProviderOptions(body, options, provider), warnings };
}

/**
 * Converts spec messages to OpenAI messages: image parts to `image_url`
 * (base64 data as a data: URL), assistant `toolCalls` to `tool_calls`, tool
 * messages to `tool_call_id`. System, assistant and tool content must be text;
 * images there are dropped with a warning.
 */
export function convertToOpenAIMessages(messages: Message[], warnings: CallWarning[] = []): OpenAIUpstreamMessage[] {
  return messages.map((message, index): OpenAIUpstreamMessage => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: textOnlyContent(message.content, index, warnings) };
      case 'user':
        return {
          role: 'user',
          content: typeof message.content === 'string' ? message.content : message.content.flatMap((part) => toUserPart(part, index)),
        };
      case 'assistant': {
        const content = message.content === null ? null : textOnlyContent(message.content, index, warnings);
        const toolCalls = message.toolCalls ?? [];
        return {
          role: 'assistant',
          content: content === '' && toolCalls.length > 0 ? null : content,
          ...(toolCalls.length > 0
            ? {
                tool_calls: toolCalls.map((call) => ({
                  id: call.id,
                  type: 'function' as const,
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        };
      }
      case 'tool':
        return { role: 'tool', tool_call_id: message.toolCallId, content: textOnlyContent(message.content, index, warnings) };
    }
  });
}

/** A user part on the wire: documents as `file` parts (base64 data only: Chat Completions takes no document URLs); reasoning left out. */
function toUserPart(part: ContentPart, index: number): OpenAIContentPart[] {
  if (part.type === 'text') return [{ type: 'text', text: part.text }];
  if (part.type === 'reasoning') return [];
  if (part.type === 'document') {
    if (part.data === undefined) throw unsupportedPart('openai', index, 'Chat Completions takes documents as base64 data, not URLs');
    return [{ type: 'file', file: { file_data: `data:${part.mediaType};base64,${part.data}`, filename: part.title ?? 'document' } }];
  }
  return [imagePart(part, index)];
}

function imagePart(part: ImagePart, index: number): OpenAIContentPart {
  if (part.url !== undefined) return { type: 'image_url', image_url: { url: part.url } };
  if (part.data !== undefined) {
    return { type: 'image_url', image_url: { url: `data:${part.mediaType ?? 'image/png'};base64,${part.data}` } };
  }
  throw new SwitchyardError({
    code: 'invalid_request',
    message: `messages[${index}]: an image part needs a url or data`,
    param: `messages[${index}].content`,
  });
}


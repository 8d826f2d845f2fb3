import { cannotHonour, refuseForeignExtras, withProviderOptions } from '../../core/wire-passthrough.js';
import { parseToolArguments } from '../../core/tool-arguments.js';
import { contentText, textOnlyContent, unsupportedPart } from '../message-text.js';
import type { DriverCallOptions } from '../../spec/driver.js';
import { SwitchyardError } from '../../spec/errors.js';
import type { ContentPart, Message } from '../../spec/messages.js';
import type { CallWarning } from '../../spec/response.js';

/** An Ollama chat message as sent on the wire. */
export interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** Base64 images, without a data: prefix. */
  images?: string[];
  tool_calls?: Array<{ function: { name: string; arguments: Record<string, unknown> } }>;
  /** The tool a `tool` message answers. */
  tool_name?: string;
}

/** A converted request body plus warnings for settings Ollama cannot honour. */
export interface OllamaChatBody {
  body: Record<string, unknown>;
  warnings: CallWarning[];
}

/**
 * Builds the /api/chat body from a driver call: messages, tools, `stream`,
 * `options` (temperature, top_p, num_predict, stop, seed) and `format`
 * ("json", or the JSON Schema of a json_schema format). Ollama cannot force
 * a tool call: `required` is sent as a plain tool list and `{ name }` as a
 * list of that one tool, with a warning; `none` leaves the tools out. `user`,
 * logprobs, strict tools and parallelToolCalls false are refused (a 400
 * naming the setting and the provider).
 */
export function buildOllamaChatBody(options: DriverCallOptions, stream: boolean, provider = 'ollama'): OllamaChatBody {
  refuseForeignExtras(options, provider);
  const warnings: CallWarning[] = [];
  const body: Record<string, unknown> = {
    model: options.modelId,
    messages: convertToOllamaMessages(options.messages, warnings),
    stream,
  };

  const choice = options.toolChoice;
  let tools = options.tools ?? [];
  if (choice === 'none') tools = [];
  if (tools.length > 0 && (choice === 'required' || typeof choice === 'object')) {
    if (typeof choice === 'object') tools = tools.filter((tool) => tool.name === choice.name);
    warnings.push({
      type: 'unsupported-setting',
      setting: 'toolChoice',
      message: 'Ollama cannot force a tool call; the model may answer in text',
    });
  }
  if (tools.length > 0) {
    body.tools = tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        parameters: tool.parameters,
      },
    }));
  }

  const modelOptions: Record<string, unknown> = {};
  if (options.temperature !== undefined) modelOptions.temperature = options.temperature;
  if (options.topP !== undefined) modelOptions.top_p = options.topP;
  if (options.maxTokens !== undefined) modelOptions.num_predict = options.maxTokens;
  if (options.stop !== undefined && options.stop.length > 0) modelOptions.stop = options.stop;
  if (options.seed !== undefined) modelOptions.seed = options.seed;
  if (options.topK !== undefined) modelOptions.top_k = options.topK;
  if (options.frequencyPenalty !== undefined) modelOptions.frequency_penalty = options.frequencyPenalty;
  if (options.presencePenalty !== undefined) modelOptions.presence_penalty = options.presencePenalty;
  if (options.reasoning !== undefined) body.think = true;
  if (options.logprobs === true) cannotHonour(options, provider, 'logprobs', 'Ollama returns no log probabilities here');
  if (options.parallelToolCalls === false) cannotHonour(options, provider, 'parallelToolCalls', 'Ollama cannot limit a turn to one tool call');
  if (options.tools?.some((tool) => tool.strict === true)) cannotHonour(options, provider, 'tools.strict', 'Ollama has no strict tool schemas');
  if (Object.keys(modelOptions).length > 0) body.options = modelOptions;

  const format = options.responseFormat;
  if (format?.type === 'json') body.format = 'json';
  if (format?.type === 'json_schema') body.format = format.schema;

  if (options.user !== undefined) {
    cannotHonour(options, provider, 'user', 'Ollama has no end-user field');
  }
  return { body: withProviderOptions(body, options, provider), warnings };
}

/**
 * Converts spec messages to Ollama messages: text parts joined, user images
 * to base64 `images` (data: URLs unwrapped; http URLs dropped with a warning,
 * as Ollama takes no URLs), assistant `toolCalls` to `tool_calls` with
 * object arguments, tool messages with `tool_name` looked up by `toolCallId`
 * in earlier assistant messages. Images outside user messages are dropped with a warning.
 */
export function convertToOllamaMessages(messages: Message[], warnings: CallWarning[] = []): OllamaMessage[] {
  const toolNames = new Map<string, string>();
  return messages.map((message, index): OllamaMessage => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: textOnlyContent(message.content, index, warnings) };
      case 'user': {
        if (typeof message.content === 'string') return { role: 'user', content: message.content };
        if (message.content.some((part) => part.type === 'document')) throw unsupportedPart('ollama', index, 'Ollama takes no documents');
        const images = message.content.flatMap((part) => (part.type === 'image' ? imageData(part, index, warnings) : []));
        return { role: 'user', content: contentText(message.content), ...(images.length > 0 ? { images } : {}) };
      }
      case 'assistant': {
        const toolCalls = message.toolCalls ?? [];
        for (const call of toolCalls) toolNames.set(call.id, call.name);
        return {
          role: 'assistant',
          content: message.content === null ? '' : textOnlyContent(message.content, index, warnings),
          ...(toolCalls.length > 0
            ? {
                tool_calls: toolCalls.map((call, callIndex) => ({
                  function: { name: call.name, arguments: parseToolArguments(call.arguments, `messages[${index}].toolCalls[${callIndex}].arguments`) },
                })),
              }
            : {}),
        };
      }
      case 'tool': {
        const name = toolNames.get(message.toolCallId);
        return { role: 'tool', content: textOnlyContent(message.content, index, warnings), ...(name !== undefined ? { tool_name: name } : {}) };
      }
    }
  });
}

function imageData(part: Extract<ContentPart, { type: 'image' }>, index: number, warnings: CallWarning[]): string[] {
  if (part.data !== undefined) return [part.data];
  if (part.url !== undefined) {
    const dataUrl = /^data:[^,]*;base64,(.*)$/s.exec(part.url);
    if (dataUrl) return [dataUrl[1]];
    warnings.push({ type: 'other', message: `messages[${index}]: Ollama takes images as base64 data, not URLs; an image URL was dropped` });
    return [];
  }
  throw new SwitchyardError({
    code: 'invalid_request',
    message: `messages[${index}]: an image part needs a url or data`,
    param: `messages[${index}].content`,
  });
}


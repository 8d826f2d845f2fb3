import { cannotHonour, refuseForeignExtras, withProviderOptions } from '../../core/wire-passthrough.js';
import { budgetForReasoning } from '../../core/reasoning-budget.js';
import { parseJson } from '../../core/safe-json.js';
import { textOnlyContent } from '../message-text.js';
import { parseToolArguments } from '../../core/tool-arguments.js';
import type { DriverCallOptions } from '../../spec/driver.js';
import { SwitchyardError } from '../../spec/errors.js';
import type { ContentPart, Message } from '../../spec/messages.js';
import type { CallWarning } from '../../spec/response.js';
import { convertToGeminiSchema } from './gemini-schema.js';

/** One part of a Gemini content as sent on the wire. */
export type GeminiPart =
  | { text: string }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType: string; fileUri: string } }
  | { functionCall: { name: string; args: Record<string, unknown> }; thoughtSignature?: string }
  | { functionResponse: { name: string; response: Record<string, unknown> } };

/** A Gemini content (one turn): `user` (also for tool results) or `model`. */
export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/** Converted messages: the system text apart, as Gemini wants it. */
export interface GeminiPrompt {
  systemInstruction?: { parts: Array<{ text: string }> };
  contents: GeminiContent[];
}

/** A converted request body plus warnings for settings Gemini cannot honour. */
export interface GeminiRequestBody {
  body: Record<string, unknown>;
  warnings: CallWarning[];
}

/** Gemini accepts at most this many stop sequences. */
export const GEMINI_MAX_STOP_SEQUENCES = 5;

/**
 * Google's documented stand-in for a thought signature. Switchyard's tool
 * calls cannot carry Gemini's signatures between turns, and Gemini 3 models
 * reject replayed function calls without one.
 */
export const GEMINI_SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

const FUNCTION_CALLING_MODES = { auto: 'AUTO', none: 'NONE', required: 'ANY' } as const;

/**
 * Builds the generateContent body from a driver call: contents and
 * systemInstruction, generationConfig (temperature, topP, maxOutputTokens,
 * stopSequences, seed, responseMimeType and responseSchema), tools as
 * functionDeclarations and toolConfig.functionCallingConfig (auto AUTO, none
 * NONE, required ANY, `{ name }` ANY with allowedFunctionNames). `user`,
 * more than five stop sequences, strict tools and parallelToolCalls false
 * are refused (a 400 naming the setting and the provider).
 * `providerOptions[provider]` is merged over the result; the fields of a
 * caller's wire that the neutral settings do not model are refused.
 */
export function buildGeminiRequestBody(options: DriverCallOptions, provider = 'gemini'): GeminiRequestBody {
  refuseForeignExtras(options, provider);
  const warnings: CallWarning[] = [];
  const prompt = convertToGeminiMessages(options.messages, warnings);
  const body: Record<string, unknown> = { contents: prompt.contents };
  if (prompt.systemInstruction) body.systemInstruction = prompt.systemInstruction;

  const generationConfig: Record<string, unknown> = {};
  if (options.temperature !== undefined) generationConfig.temperature = options.temperature;
  if (options.topP !== undefined) generationConfig.topP = options.topP;
  if (options.maxTokens !== undefined) generationConfig.maxOutputTokens = options.maxTokens;
  if (options.seed !== undefined) generationConfig.seed = options.seed;
  if (options.topK !== undefined) generationConfig.topK = options.topK;
  if (options.frequencyPenalty !== undefined) generationConfig.frequencyPenalty = options.frequencyPenalty;
  if (options.presencePenalty !== undefined) generationConfig.presencePenalty = options.presencePenalty;
  if (options.logprobs === true) {
    generationConfig.responseLogprobs = true;
    if (options.topLogprobs !== undefined) generationConfig.logprobs = options.topLogprobs;
  }
  if (options.reasoning !== undefined) generationConfig.thinkingConfig = { thinkingBudget: budgetForReasoning(options.reasoning), includeThoughts: true };
  if (options.parallelToolCalls === false) cannotHonour(options, provider, 'parallelToolCalls', 'Gemini cannot limit a turn to one tool call');
  if (options.tools?.some((tool) => tool.strict === true)) cannotHonour(options, provider, 'tools.strict', 'Gemini has no strict tool schemas');
  if (options.stop !== undefined && options.stop.length > 0) {
    if (options.stop.length > GEMINI_MAX_STOP_SEQUENCES) cannotHonour(options, provider, 'stop', `Gemini accepts at most ${GEMINI_MAX_STOP_SEQUENCES} stop sequences`);
    generationConfig.stopSequences = options.stop;
  }
  const format = options.responseFormat;
  if (format?.type === 'json' || format?.type === 'json_schema') generationConfig.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    const schema = convertToGeminiSchema(format.schema);
    if (schema !== undefined) generationConfig.responseSchema = schema;
  }
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;

  const tools = options.tools ?? [];
  if (tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: tools.map((tool) => {
          const parameters = convertToGeminiSchema(tool.parameters);
          return {
            name: tool.name,
            ...(tool.description !== undefined ? { description: tool.description } : {}),
            ...(parameters !== undefined ? { parameters } : {}),
          };
        }),
      },
    ];
  }
  if (options.toolChoice !== undefined) {
    if (tools.length === 0) {
      warnings.push({ type: 'unsupported-setting', setting: 'toolChoice', message: 'toolChoice without tools was not sent' });
    } else {
      const choice = options.toolChoice;
      body.toolConfig = {
        functionCallingConfig:
          typeof choice === 'string'
            ? { mode: FUNCTION_CALLING_MODES[choice] }
            : { mode: 'ANY', allowedFunctionNames: [choice.name] },
      };
    }
  }
  if (options.user !== undefined) {
    cannotHonour(options, provider, 'user', 'Gemini has no end-user field');
  }
  return { body: withProviderOptions(body, options, provider), warnings };
}

/**
 * Converts spec messages to Gemini contents: system messages join into
 * `systemInstruction`; user parts become text, `inlineData` (base64 or a
 * data: URL) or `fileData` (other URLs); assistant messages become `model`
 * turns with `functionCall` parts (arguments parsed to objects); tool
 * messages become `functionResponse` parts named after the call they answer
 * (looked up by `toolCallId` in earlier assistant messages), consecutive
 * ones merged into one turn. Images outside user messages are dropped with a warning.
 */
export function convertToGeminiMessages(messages: Message[], warnings: CallWarning[] = []): GeminiPrompt {
  const system: string[] = [];
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();

  messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
        system.push(textOnlyContent(message.content, index, warnings));
        return;
      case 'user': {
        const parts =
          typeof message.content === 'string'
            ? [{ text: message.content }]
            : message.content.flatMap((part) => toUserPart(part, index));
        contents.push({ role: 'user', parts });
        return;
      }
      case 'assistant': {
        const parts: GeminiPart[] = [];
        const text = message.content === null ? '' : textOnlyContent(message.content, index, warnings);
        if (text !== '') parts.push({ text });
        (message.toolCalls ?? []).forEach((call, callIndex) => {
          toolNames.set(call.id, call.name);
          parts.push({
            functionCall: { name: call.name, args: parseToolArguments(call.arguments, `messages[${index}].toolCalls[${callIndex}].arguments`) },
            // The call's own signature when it came from Gemini; else the documented stand-in on the first call.
            ...(call.signature !== undefined ? { thoughtSignature: call.signature } : callIndex === 0 ? { thoughtSignature: GEMINI_SKIP_THOUGHT_SIGNATURE } : {}),
          });
        });
        if (parts.length > 0) contents.push({ role: 'model', parts });
        return;
      }
      case 'tool': {
        const name = toolNames.get(message.toolCallId);
        if (name === undefined) {
          throw new SwitchyardError({
            code: 'invalid_request',
            message: `messages[${index}]: no earlier assistant message has a tool call with id ${JSON.stringify(message.toolCallId)}; Gemini needs the tool's name`,
            param: `messages[${index}].toolCallId`,
          });
        }
        const part: GeminiPart = { functionResponse: { name, response: toResponseObject(textOnlyContent(message.content, index, warnings)) } };
        const previous = contents.at(-1);
        if (previous?.role === 'user' && previous.parts.every((entry) => 'functionResponse' in entry)) previous.parts.push(part);
        else contents.push({ role: 'user', parts: [part] });
        return;
      }
    }
  });

  const systemText = system.filter((text) => text !== '').join('\n\n');
  return { ...(systemText !== '' ? { systemInstruction: { parts: [{ text: systemText }] } } : {}), contents };
}

/** A user part: text, or an image or document as `inlineData` (base64, data: URLs) or `fileData` (other URLs); reasoning left out. */
function toUserPart(part: ContentPart, index: number): GeminiPart[] {
  if (part.type === 'text') return [{ text: part.text }];
  if (part.type === 'reasoning') return [];
  if (part.data !== undefined) return [{ inlineData: { mimeType: part.mediaType ?? 'image/png', data: part.data } }];
  if (part.url !== undefined) {
    const dataUrl = /^data:([^;,]+)?(?:;[^,]*)?;base64,(.*)$/s.exec(part.url);
    if (dataUrl) return [{ inlineData: { mimeType: dataUrl[1] ?? part.mediaType ?? 'image/png', data: dataUrl[2] } }];
    return [{ fileData: { mimeType: part.mediaType ?? guessImageType(part.url), fileUri: part.url } }];
  }
  throw new SwitchyardError({
    code: 'invalid_request',
    message: `messages[${index}]: an ${part.type} part needs a url or data`,
    param: `messages[${index}].content`,
  });
}

function guessImageType(url: string): string {
  const extension = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase();
  const types: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', heic: 'image/heic' };
  return (extension && types[extension]) || 'image/jpeg';
}

/** A tool result as Gemini's `response` object: a JSON object as is, anything else under `output`. */
function toResponseObject(text: string): Record<string, unknown> {
  try {
    const value = parseJson(text, 'tool result');
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    return { output: value };
  } catch {
    return { output: text };
  }
}


import { SwitchyardError } from '../spec/errors.js';
import type { ChatRequest } from '../spec/request.js';

/*
 * The library's edge check of every shape a chat request may carry (tools,
 * tool choice, content parts, response format, settings), so a wrong shape is
 * a 400 naming the field instead of a provider receiving `null` or two
 * requests sharing a cache key. Hand-written and linear in the request's size:
 * this runs on every call.
 */

function invalid(param: string, message: string): SwitchyardError {
  return new SwitchyardError({ code: 'invalid_request', status: 400, param, message: `${param}: ${message}` });
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';

function checkPart(part: unknown, path: string, role: string): void {
  if (!isObject(part)) throw invalid(path, 'must be a content part object');
  switch (part.type) {
    case 'text':
      if (!isString(part.text)) throw invalid(`${path}.text`, 'must be a string');
      return;
    case 'image':
    case 'document':
      if (!isString(part.url) && !isString(part.data)) throw invalid(path, `an ${part.type} part needs a url or base64 data`);
      if (part.type === 'document' && !isString(part.mediaType)) throw invalid(`${path}.mediaType`, 'is required on a document part (application/pdf, text/plain...)');
      return;
    case 'reasoning':
      if (role !== 'assistant') throw invalid(path, 'reasoning parts belong to assistant messages');
      if (!isString(part.text)) throw invalid(`${path}.text`, 'must be a string');
      return;
    default:
      throw invalid(`${path}.type`, 'must be text, image, document or reasoning');
  }
}

/** Messages: content a string or parts (null allowed on assistant turns), tool calls and tool results well formed. */
export function checkMessageShapes(messages: ChatRequest['messages']): void {
  messages.forEach((message, index) => {
    const path = `messages.${index}`;
    const content: unknown = message.content;
    if (Array.isArray(content)) content.forEach((part, partIndex) => checkPart(part, `${path}.content.${partIndex}`, message.role));
    else if (!isString(content) && !(content === null && message.role === 'assistant')) throw invalid(`${path}.content`, 'must be a string or an array of parts');
    if (message.role === 'assistant' && message.toolCalls !== undefined) {
      if (!Array.isArray(message.toolCalls)) throw invalid(`${path}.toolCalls`, 'must be an array');
      message.toolCalls.forEach((call, callIndex) => {
        const callPath = `${path}.toolCalls.${callIndex}`;
        if (!isObject(call) || !isString(call.id) || !isString(call.name)) throw invalid(callPath, 'must be { id, name, arguments } with string id and name');
        if (!isString(call.arguments)) throw invalid(`${callPath}.arguments`, 'must be a JSON string');
        if (call.signature !== undefined && !isString(call.signature)) throw invalid(`${callPath}.signature`, 'must be a string');
      });
    }
  });
}

/** Tools as `{ name, description?, parameters, strict? }`; OpenAI's `{ type: 'function', function }` is refused by name. */
export function checkTools(tools: unknown): void {
  if (tools === undefined) return;
  if (!Array.isArray(tools)) throw invalid('tools', 'must be an array');
  tools.forEach((tool: unknown, index) => {
    const path = `tools.${index}`;
    if (!isObject(tool)) throw invalid(path, 'must be { name, description?, parameters }');
    if (tool.type === 'function' && isObject(tool.function)) {
      throw invalid(path, "OpenAI's tool shape { type: 'function', function } is not accepted; pass { name, description, parameters }");
    }
    if (!isString(tool.name) || tool.name === '') throw invalid(`${path}.name`, 'must be a non-empty string');
    if (!isObject(tool.parameters)) throw invalid(`${path}.parameters`, 'must be a JSON Schema object');
    if (tool.description !== undefined && !isString(tool.description)) throw invalid(`${path}.description`, 'must be a string');
    if (tool.strict !== undefined && typeof tool.strict !== 'boolean') throw invalid(`${path}.strict`, 'must be a boolean');
  });
}

function checkNumber(value: unknown, param: string, min: number, max: number, integer = false): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
    throw invalid(param, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
}

/** Tool choice, response format, stop, sampling and reasoning settings, provider options. */
export function checkSettingShapes(request: ChatRequest): void {
  const choice: unknown = request.toolChoice;
  if (choice !== undefined && choice !== 'auto' && choice !== 'none' && choice !== 'required' && !(isObject(choice) && isString(choice.name))) {
    throw invalid('toolChoice', "must be 'auto', 'none', 'required' or { name }");
  }
  const format: unknown = request.responseFormat;
  if (format !== undefined) {
    if (!isObject(format) || !['text', 'json', 'json_schema'].includes(format.type as string)) throw invalid('responseFormat.type', 'must be text, json or json_schema');
    if (format.type === 'json_schema' && !isObject(format.schema)) throw invalid('responseFormat.schema', 'must be a JSON Schema object');
  }
  if (request.stop !== undefined && !(Array.isArray(request.stop) && request.stop.every(isString))) throw invalid('stop', 'must be an array of strings');
  checkNumber(request.topP, 'topP', 0, 1);
  checkNumber(request.topK, 'topK', 1, Number.MAX_SAFE_INTEGER, true);
  checkNumber(request.seed, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  checkNumber(request.frequencyPenalty, 'frequencyPenalty', -2, 2);
  checkNumber(request.presencePenalty, 'presencePenalty', -2, 2);
  checkNumber(request.topLogprobs, 'topLogprobs', 0, 20, true);
  for (const flag of ['logprobs', 'parallelToolCalls'] as const) {
    if (request[flag] !== undefined && typeof request[flag] !== 'boolean') throw invalid(flag, 'must be a boolean');
  }
  const reasoning: unknown = request.reasoning;
  if (reasoning !== undefined) {
    if (!isObject(reasoning)) throw invalid('reasoning', 'must be { effort?, budgetTokens? }');
    if (reasoning.effort !== undefined && !['minimal', 'low', 'medium', 'high'].includes(reasoning.effort as string)) {
      throw invalid('reasoning.effort', 'must be minimal, low, medium or high');
    }
    checkNumber(reasoning.budgetTokens, 'reasoning.budgetTokens', 1, Number.MAX_SAFE_INTEGER, true);
  }
  const options: unknown = request.providerOptions;
  if (options !== undefined) {
    if (!isObject(options)) throw invalid('providerOptions', 'must be { [provider]: { ...fields } }');
    for (const [provider, fields] of Object.entries(options)) if (!isObject(fields)) throw invalid(`providerOptions.${provider}`, 'must be an object of fields');
  }
}

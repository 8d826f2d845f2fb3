import type { DriverCallOptions } from '../spec/driver.js';
import type { ChatRequest, GenerationSettings } from '../spec/request.js';
import { SwitchyardError } from '../spec/errors.js';
import { checkMessageShapes, checkSettingShapes, checkTools } from './check-request-shapes.js';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

function invalid(param: string, message: string): SwitchyardError {
  return new SwitchyardError({ code: 'invalid_request', status: 400, param, message: `${param}: ${message}` });
}

/**
 * The library's edge check of a chat request: every shape error a caller
 * without TypeScript could make, named by field (the gateway validates its
 * own wire formats with zod first).
 */
export function checkChatRequest(request: ChatRequest): void {
  if (typeof request !== 'object' || request === null) throw invalid('request', 'must be an object');
  if (!Array.isArray(request.messages) || request.messages.length === 0) throw invalid('messages', 'must be a non-empty array');
  request.messages.forEach((message, index) => {
    if (!message || !ROLES.has(message.role)) throw invalid(`messages.${index}.role`, 'must be system, user, assistant or tool');
    if (message.role === 'tool' && typeof message.toolCallId !== 'string') throw invalid(`messages.${index}.toolCallId`, 'is required on tool messages');
  });
  if (request.temperature !== undefined && !(request.temperature >= 0 && request.temperature <= 2)) throw invalid('temperature', 'must be between 0 and 2');
  if (request.maxTokens !== undefined && !(Number.isInteger(request.maxTokens) && request.maxTokens > 0)) throw invalid('maxTokens', 'must be a positive integer');
  checkMessageShapes(request.messages);
  checkTools(request.tools);
  checkSettingShapes(request);
}

/** The generation settings of a request, without the client-only fields (listed, not spread: this is the hot path). */
export function generationSettings(request: ChatRequest): GenerationSettings {
  return {
    messages: request.messages,
    temperature: request.temperature,
    topP: request.topP,
    maxTokens: request.maxTokens,
    stop: request.stop,
    seed: request.seed,
    responseFormat: request.responseFormat,
    tools: request.tools,
    toolChoice: request.toolChoice,
    user: request.user,
    topK: request.topK,
    frequencyPenalty: request.frequencyPenalty,
    presencePenalty: request.presencePenalty,
    logprobs: request.logprobs,
    topLogprobs: request.topLogprobs,
    parallelToolCalls: request.parallelToolCalls,
    reasoning: request.reasoning,
    providerOptions: request.providerOptions,
    wireRequest: request.wireRequest,
  };
}

/** What a driver receives for one target: the settings plus the model id, signal and request id. */
export function driverCallOptions(settings: GenerationSettings, modelId: string, request: ChatRequest, requestId: string): DriverCallOptions {
  const options = settings as DriverCallOptions;
  return Object.assign({}, options, { modelId, signal: request.signal, requestId });
}

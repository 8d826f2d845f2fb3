import { createHash } from 'node:crypto';
import type { ContentPart, Message, ResponseFormat, Tool, ToolChoice } from '../spec/messages.js';
import type { GenerationSettings } from '../spec/request.js';
import { canonicalJson } from './canonical-json.js';

/** What identifies one answer: the resolved model, the tenant and every setting that changes the output. */
export interface ResponseCacheKeyInput {
  /** The provider that will answer (after route and default resolution). */
  provider: string;
  /** The provider's model id, without `provider/`. */
  modelId: string;
  /** Cache namespace: the tenant. Default `default`. */
  tenant?: string;
  settings: GenerationSettings;
  /**
   * Whether the answer is streamed. Only a passthrough call (with a
   * `wireRequest`) is keyed by it: its entry holds the upstream's own body or
   * events, which differ between the two.
   */
  stream?: boolean;
}

/** The cache namespace of response entries. */
export const RESPONSE_CACHE_NAMESPACE = 'response';

function normalizeContent(content: string | ContentPart[] | null): string | ContentPart[] {
  if (content === null) return '';
  // A lone text part says the same as a plain string.
  if (Array.isArray(content) && content.length === 1 && content[0].type === 'text') return content[0].text;
  return content;
}

function normalizeMessage(message: Message): Record<string, unknown> {
  const normalized: Record<string, unknown> = { role: message.role, content: normalizeContent(message.content) };
  if (message.role === 'assistant' && message.toolCalls !== undefined && message.toolCalls.length > 0) {
    normalized.toolCalls = message.toolCalls.map((call) => ({ id: call.id, name: call.name, arguments: call.arguments }));
  }
  if (message.role === 'tool') normalized.toolCallId = message.toolCallId;
  return normalized;
}

function normalizeTools(tools: Tool[] | undefined): Tool[] | null {
  if (tools === undefined || tools.length === 0) return null;
  return tools.map((tool) => ({ name: tool.name, description: tool.description ?? '', parameters: tool.parameters, strict: tool.strict === true }));
}

function normalizeResponseFormat(format: ResponseFormat | undefined): ResponseFormat | null {
  if (format === undefined || format.type === 'text') return null;
  return format;
}

/**
 * The canonical form hashed by {@link responseCacheKey}, with defaults filled
 * in so that leaving a setting out equals sending its default: temperature 1,
 * topP 1, toolChoice `auto` when tools are present (and nothing without
 * tools), no stop sequences, text output. Exposed for tests and debugging.
 */
export function canonicalResponseRequest(input: ResponseCacheKeyInput): string {
  const { settings } = input;
  const providerOptions = settings.providerOptions !== undefined && Object.keys(settings.providerOptions).length > 0 ? settings.providerOptions : null;
  const wire = settings.wireRequest;
  if (wire !== undefined) {
    // The caller's body is what reaches a passthrough upstream, and the neutral settings are derived from it: it alone is keyed.
    const { model: _model, stream: _stream, ...body } = wire.body;
    return canonicalJson({
      version: 2,
      tenant: input.tenant ?? 'default',
      provider: input.provider,
      modelId: input.modelId,
      format: wire.format,
      stream: input.stream === true,
      body,
      providerOptions,
    });
  }
  const tools = normalizeTools(settings.tools);
  const toolChoice: ToolChoice | null = tools === null ? null : (settings.toolChoice ?? 'auto');
  return canonicalJson({
    version: 1,
    tenant: input.tenant ?? 'default',
    provider: input.provider,
    modelId: input.modelId,
    messages: settings.messages.map(normalizeMessage),
    tools,
    toolChoice,
    temperature: settings.temperature ?? 1,
    topP: settings.topP ?? 1,
    maxTokens: settings.maxTokens ?? null,
    stop: settings.stop === undefined || settings.stop.length === 0 ? null : settings.stop,
    seed: settings.seed ?? null,
    responseFormat: normalizeResponseFormat(settings.responseFormat),
    topK: settings.topK ?? null,
    frequencyPenalty: settings.frequencyPenalty ?? 0,
    presencePenalty: settings.presencePenalty ?? 0,
    logprobs: settings.logprobs === true ? (settings.topLogprobs ?? 0) : null,
    parallelToolCalls: tools === null ? null : settings.parallelToolCalls !== false,
    reasoning: settings.reasoning ?? null,
    providerOptions,
  });
}

/**
 * The response-cache key: `response:<sha256 hex>`, the SHA-256 of the
 * canonical request (see {@link canonicalResponseRequest}). Different
 * tenants, models, messages (system prompts, tool calls and results), tools,
 * tool choice, sampling settings or provider options give different keys;
 * JSON key order does not. A passthrough call is keyed by its wire body whole.
 */
export function responseCacheKey(input: ResponseCacheKeyInput): string {
  const digest = createHash('sha256').update(canonicalResponseRequest(input)).digest('hex');
  return `${RESPONSE_CACHE_NAMESPACE}:${digest}`;
}

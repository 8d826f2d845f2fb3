import { hash } from 'node:crypto';
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
  // The same text as canonicalJson of the normalized request, written out in its (sorted) key order: only the
  // free-form parts a caller shapes (content parts, tools, schemas, provider options) go through canonicalJson.
  const tools = normalizeTools(settings.tools);
  const toolChoice: ToolChoice | null = tools === null ? null : (settings.toolChoice ?? 'auto');
  const stop = settings.stop === undefined || settings.stop.length === 0 ? null : settings.stop;
  let text = `{"frequencyPenalty":${JSON.stringify(settings.frequencyPenalty ?? 0)},"logprobs":${JSON.stringify(settings.logprobs === true ? (settings.topLogprobs ?? 0) : null)}`;
  text += `,"maxTokens":${JSON.stringify(settings.maxTokens ?? null)},"messages":[`;
  for (let index = 0; index < settings.messages.length; index++) text += (index > 0 ? ',' : '') + messageJson(settings.messages[index]);
  text += `],"modelId":${JSON.stringify(input.modelId)},"parallelToolCalls":${JSON.stringify(tools === null ? null : settings.parallelToolCalls !== false)}`;
  text += `,"presencePenalty":${JSON.stringify(settings.presencePenalty ?? 0)},"provider":${JSON.stringify(input.provider)}`;
  text += `,"providerOptions":${canonicalJson(providerOptions)},"reasoning":${canonicalJson(settings.reasoning ?? null)}`;
  text += `,"responseFormat":${canonicalJson(normalizeResponseFormat(settings.responseFormat))}`;
  text += `,"seed":${JSON.stringify(settings.seed ?? null)},"stop":${canonicalJson(stop)},"temperature":${JSON.stringify(settings.temperature ?? 1)}`;
  text += `,"tenant":${JSON.stringify(input.tenant ?? 'default')},"toolChoice":${canonicalJson(toolChoice)},"tools":${canonicalJson(tools)}`;
  return `${text},"topK":${JSON.stringify(settings.topK ?? null)},"topP":${JSON.stringify(settings.topP ?? 1)},"version":1}`;
}

/** One normalized message as canonicalJson writes it: keys `content`, `role`, `toolCallId`, `toolCalls`, in that order. */
function messageJson(message: Message): string {
  const content = normalizeContent(message.content);
  let text = `{"content":${typeof content === 'string' ? JSON.stringify(content) : canonicalJson(content)},"role":${JSON.stringify(message.role)}`;
  if (message.role === 'tool' && message.toolCallId !== undefined) text += `,"toolCallId":${JSON.stringify(message.toolCallId)}`;
  if (message.role === 'assistant' && message.toolCalls !== undefined && message.toolCalls.length > 0) {
    text += ',"toolCalls":[';
    message.toolCalls.forEach((call, index) => {
      text += `${index > 0 ? ',' : ''}{"arguments":${JSON.stringify(call.arguments)},"id":${JSON.stringify(call.id)},"name":${JSON.stringify(call.name)}}`;
    });
    text += ']';
  }
  return `${text}}`;
}

/**
 * The response-cache key: `response:<sha256 hex>`, the SHA-256 of the
 * canonical request (see {@link canonicalResponseRequest}). Different
 * tenants, models, messages (system prompts, tool calls and results), tools,
 * tool choice, sampling settings or provider options give different keys;
 * JSON key order does not. A passthrough call is keyed by its wire body whole.
 */
export function responseCacheKey(input: ResponseCacheKeyInput): string {
  const digest = hash('sha256', canonicalResponseRequest(input), 'hex');
  return `${RESPONSE_CACHE_NAMESPACE}:${digest}`;
}

import type { ChatCodec } from '../../core/chat-codec.js';
import { createChatCalls } from '../../core/chat-codec.js';
import { createProviderHttp } from '../../core/provider-http.js';
import type { DriverCallOptions, DriverGenerateResult, DriverModel, DriverV1, PoolStats } from '../../spec/driver.js';
import type { ReasoningPart } from '../../spec/messages.js';
import type { WireFormat } from '../../spec/request.js';
import { anthropicEventTypeSchema, anthropicMessageSchema, anthropicModelListSchema, anthropicTokenCountSchema, type AnthropicMessage } from './anthropic-api.js';
import { passthroughBody, passthroughFormat } from '../../core/wire-passthrough.js';
import { fromAnthropicErrorValue, mapAnthropicError, mapAnthropicStreamError } from './anthropic-error.js';
import { resolveAnthropicSettings, type AnthropicDriverSettings } from './anthropic-options.js';
import { countInput, createAnthropicStreamState } from './anthropic-stream-state.js';
import { createAnthropicBatchApi } from './anthropic-batch.js';
import { buildAnthropicMessagesBody } from './convert-to-anthropic-messages.js';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.js';

/** The Anthropic driver: no `doEmbed` (Anthropic has no embeddings API); Message Batches (`doBatch`), token counting, pool figures and `close()` are present. */
export type AnthropicDriver = DriverV1 & Required<Pick<DriverV1, 'poolStats' | 'close' | 'wireFormats' | 'doCountTokens'>>;

/** The wire formats passed through verbatim (see WireRequest). */
const WIRE_FORMATS: readonly WireFormat[] = ['anthropic-messages'];

/** Models per page when listing; Anthropic allows up to 1000. */
const MODEL_PAGE_SIZE = 1000;
/** A guard against a server whose cursor never ends. */
const MAX_MODEL_PAGES = 100;

/**
 * Creates a driver for Anthropic's Messages and Models APIs (POST
 * /v1/messages, GET /v1/models), authenticating with `x-api-key` and
 * `anthropic-version`. Requests go over the injected (or owned) transport;
 * the key is read at each request. No retries here: callers wrap calls in
 * withRetry (429 carries retryAfterMs; 529 overloaded is retryable).
 */
export function createAnthropicDriver(settings: AnthropicDriverSettings = {}): AnthropicDriver {
  const resolved = resolveAnthropicSettings(settings);
  const { provider, baseURL, transport } = resolved;
  const http = createProviderHttp({
    provider,
    baseURL,
    transport,
    maxResponseBytes: resolved.maxResponseBytes,
    protocolHeaders: { 'anthropic-version': resolved.anthropicVersion },
    headers: resolved.headers,
    credentials() {
      const apiKey = resolved.resolveApiKey();
      const headers: Record<string, string> = apiKey !== undefined ? { 'x-api-key': apiKey } : {};
      return { headers, secrets: [apiKey] };
    },
    mapError: (response, context) => mapAnthropicError(response, { provider, secrets: context.secrets }),
  });
  const codec = createAnthropicChatCodec(provider);
  const { doGenerate, doStream } = createChatCalls(http, codec);

  /** Every page of GET /v1/models, following `last_id` while `has_more`. */
  async function listModels(options: { signal?: AbortSignal } = {}): Promise<DriverModel[]> {
    const models: DriverModel[] = [];
    let afterId: string | undefined;
    for (let page = 0; page < MAX_MODEL_PAGES; page += 1) {
      const query = new URLSearchParams({ limit: String(MODEL_PAGE_SIZE), ...(afterId !== undefined ? { after_id: afterId } : {}) });
      const list = await http.json({ path: `/v1/models?${query}`, context: 'model list', signal: options.signal }, anthropicModelListSchema);
      for (const model of list.data) {
        const created = model.created_at ? Date.parse(model.created_at) : Number.NaN;
        models.push({
          modelId: model.id,
          ...(model.display_name ? { name: model.display_name } : {}),
          ownedBy: 'anthropic',
          ...(Number.isFinite(created) ? { createdAt: Math.floor(created / 1000) } : {}),
          ...(model.max_input_tokens != null ? { contextLength: model.max_input_tokens } : {}),
        });
      }
      const next = list.last_id ?? list.data.at(-1)?.id;
      if (!list.has_more || next === undefined || next === afterId) return models;
      afterId = next;
    }
    return models;
  }

  /** POST /v1/messages/count_tokens: the caller's body passed through on the same wire, else built from the neutral settings. */
  async function doCountTokens(options: DriverCallOptions): Promise<{ inputTokens: number }> {
    const { max_tokens: _maxTokens, stream: _stream, ...body } = passthroughFormat(options, WIRE_FORMATS)
      ? passthroughBody(options, provider, { stream: false })
      : (buildAnthropicMessagesBody(options, false, provider).body as Record<string, unknown>);
    const counted = await http.json({ path: '/v1/messages/count_tokens', context: 'token count', body, signal: options.signal, modelCall: true }, anthropicTokenCountSchema);
    return { inputTokens: counted.input_tokens };
  }

  return {
    specificationVersion: 'v1',
    provider,
    wireFormats: WIRE_FORMATS,
    doGenerate,
    doStream,
    doCountTokens,
    listModels,
    doBatch: createAnthropicBatchApi({ http, codec, limits: settings.batchLimits }),
    poolStats: (): PoolStats => transport.stats(),
    close: () => transport.close(),
  };
}

/** The Messages codec: the body, the answer's fields, and the event decoder. */
export function createAnthropicChatCodec(provider: string): ChatCodec<AnthropicMessage, { type: string }> {
  return {
    path: () => '/v1/messages',
    context: { generate: 'message', stream: 'message stream' },
    encode: (options, stream) => buildAnthropicMessagesBody(options, stream, provider),
    responseSchema: anthropicMessageSchema,
    decode(message, options: DriverCallOptions) {
      let content = '';
      const toolCalls: DriverGenerateResult['toolCalls'] = [];
      const reasoning: ReasoningPart[] = [];
      for (const block of message.content) {
        if ('text' in block) content += block.text;
        if ('id' in block) toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
        if ('thinking' in block) reasoning.push({ type: 'reasoning', text: block.thinking, ...(block.signature ? { signature: block.signature } : {}) });
        if ('data' in block) reasoning.push({ type: 'reasoning', text: '', redacted: block.data });
      }
      const inputTokens = countInput(message.usage);
      const outputTokens = message.usage?.output_tokens ?? 0;
      return {
        id: message.id,
        modelId: message.model ?? options.modelId,
        content,
        toolCalls,
        finishReason: mapAnthropicFinishReason(message.stop_reason),
        usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
        ...(reasoning.length > 0 ? { reasoning } : {}),
        ...(message.stop_sequence ? { stopSequence: message.stop_sequence } : {}),
      };
    },
    stream: {
      framing: 'sse',
      chunkSchema: anthropicEventTypeSchema,
      errorOf: (value) => (isErrorEvent(value) ? mapAnthropicStreamError(fromAnthropicErrorValue(value) ?? {}, { provider }) : undefined),
      closing: 'message_delta or message_stop',
      createDecoder() {
        const state = createAnthropicStreamState(`${provider} message stream`, provider);
        return {
          accept: (chunk, value) => state.accept(chunk.type, value),
          done: () => state.done,
          complete: () => state.done || state.finishReason !== undefined,
          finish: () => state.finish(),
        };
      },
    },
    passthrough: { formats: WIRE_FORMATS, eventName: (chunk) => chunk.type },
  };
}

function isErrorEvent(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'error';
}

import { mapTransportError, requestJson, requestStream, waitForSocketRelease, type HttpCallOptions } from '../../core/http.js';
import { truncatedStreamError } from '../../core/upstream-error.js';
import { parseJson } from '../../core/safe-json.js';
import { readServerSentEvents } from '../../core/sse.js';
import { validateResponse } from '../../core/validate-response.js';
import { passthroughBody, passthroughFormat } from '../../core/wire-passthrough.js';
import type { DriverCallOptions, DriverGenerateResult, DriverModel, DriverV1, PoolStats } from '../../spec/driver.js';
import type { WireFormat } from '../../spec/request.js';
import type { StreamPart } from '../../spec/stream.js';
import { anthropicEventTypeSchema, anthropicMessageSchema, anthropicModelListSchema } from './anthropic-api.js';
import { fromAnthropicErrorValue, mapAnthropicError, mapAnthropicStreamError } from './anthropic-error.js';
import { resolveAnthropicSettings, type AnthropicDriverSettings } from './anthropic-options.js';
import { createAnthropicStreamState } from './anthropic-stream-state.js';
import { buildAnthropicMessagesBody } from './convert-to-anthropic-messages.js';
import { createAnthropicBatchApi } from './anthropic-batch.js';
import { fromAnthropicMessage } from './anthropic-response.js';

/** The Anthropic driver: no `doEmbed` (Anthropic has no embeddings API); Message Batches (`doBatch`), pool figures and `close()` are present. */
export type AnthropicDriver = DriverV1 & Required<Pick<DriverV1, 'poolStats' | 'close' | 'wireFormats'>>;

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

  /** Options for one HTTP call; the key is read now and redacted from any error. */
  function call(path: string, context: string, body: unknown, signal?: AbortSignal, requestId?: string): HttpCallOptions {
    const apiKey = resolved.resolveApiKey();
    return {
      dispatcher: transport.dispatcher(),
      url: `${baseURL}${path}`,
      headers: {
        'x-api-key': apiKey,
        'anthropic-version': resolved.anthropicVersion,
        ...(requestId !== undefined ? { 'x-client-request-id': requestId } : {}),
        ...resolved.headers,
      },
      body,
      signal,
      provider,
      context,
      mapError: (response) => mapAnthropicError(response, { provider, secrets: [apiKey] }),
    };
  }

  async function doGenerate(options: DriverCallOptions): Promise<DriverGenerateResult> {
    const native = passthroughFormat(options, WIRE_FORMATS);
    const { body, warnings } = native ? { body: passthroughBody(options, provider, { stream: false }), warnings: [] } : buildAnthropicMessagesBody(options, false, provider);
    const response = await requestJson(call('/v1/messages', 'message', body, options.signal, options.requestId));
    const message = validateResponse(anthropicMessageSchema, response.value, `${provider} message`, provider);
    return {
      ...fromAnthropicMessage(message, options.modelId, warnings),
      ...(native ? { native: { format: native, body: response.value as Record<string, unknown> } } : {}),
    };
  }

  async function* doStream(options: DriverCallOptions): AsyncGenerator<StreamPart, void, undefined> {
    const native = passthroughFormat(options, WIRE_FORMATS);
    const body = native ? passthroughBody(options, provider, { stream: true }) : buildAnthropicMessagesBody(options, true, provider).body;
    let text = '';
    const context = 'message stream';
    const response = await requestStream(call('/v1/messages', context, body, options.signal, options.requestId));
    const state = createAnthropicStreamState(`${provider} ${context}`, provider);
    try {
      for await (const event of readServerSentEvents(response.body, { signal: options.signal, context: `${provider} ${context}`, provider })) {
        if (state.done) continue; // drain to the end so the socket is reused
        const value = parseJson(event.data, `${provider} ${context} event`, provider);
        const { type } = validateResponse(anthropicEventTypeSchema, value, `${provider} ${context} event`, provider);
        if (type === 'error') {
          throw mapAnthropicStreamError(fromAnthropicErrorValue(value) ?? {}, { provider });
        }
        if (!native) {
          yield* state.accept(type, value);
          continue;
        }
        for (const part of state.accept(type, value)) if (part.type === 'text-delta') text += part.text;
        yield { type: 'native-event', format: native, event: type, data: event.data };
      }
    } catch (error) {
      throw mapTransportError(error, { provider, context, signal: options.signal });
    }
    if (!state.done && state.finishReason === undefined) {
      throw truncatedStreamError(provider, context, 'message_delta or message_stop');
    }
    await waitForSocketRelease();
    const finish = state.finish();
    yield native ? { ...finish, content: text } : finish;
  }

  /** Every page of GET /v1/models, following `last_id` while `has_more`. */
  async function listModels(options: { signal?: AbortSignal } = {}): Promise<DriverModel[]> {
    const models: DriverModel[] = [];
    let afterId: string | undefined;
    for (let page = 0; page < MAX_MODEL_PAGES; page += 1) {
      const query = new URLSearchParams({ limit: String(MODEL_PAGE_SIZE), ...(afterId !== undefined ? { after_id: afterId } : {}) });
      const response = await requestJson(call(`/v1/models?${query}`, 'model list', undefined, options.signal));
      const list = validateResponse(anthropicModelListSchema, response.value, `${provider} model list`, provider);
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

  return {
    specificationVersion: 'v1',
    provider,
    wireFormats: WIRE_FORMATS,
    doGenerate,
    doStream,
    listModels,
    doBatch: createAnthropicBatchApi({ provider, call, limits: settings.batchLimits }),
    poolStats: (): PoolStats => transport.stats(),
    close: () => transport.close(),
  };
}

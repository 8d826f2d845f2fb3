import { mapTransportError, requestJson, requestStream, waitForSocketRelease, type HttpCallOptions } from '../../core/http.js';
import { truncatedStreamError } from '../../core/upstream-error.js';
import { parseJson } from '../../core/safe-json.js';
import { readServerSentEvents } from '../../core/sse.js';
import { validateResponse } from '../../core/validate-response.js';
import { passthroughBody, passthroughFormat } from '../../core/wire-passthrough.js';
import type {
  DriverCallOptions,
  DriverEmbedOptions,
  DriverEmbedResult,
  DriverGenerateResult,
  DriverModel,
  DriverV1,
  PoolStats,
} from '../../spec/driver.js';
import { SwitchyardError } from '../../spec/errors.js';
import type { ToolCall } from '../../spec/messages.js';
import type { WireFormat } from '../../spec/request.js';
import type { FinishReason, Usage } from '../../spec/response.js';
import type { StreamPart } from '../../spec/stream.js';
import {
  openAIChatChunkSchema,
  openAIChatResponseSchema,
  openAIEmbeddingResponseSchema,
  openAIModelListSchema,
  type OpenAIChatChunk,
} from './openai-api.js';
import { buildOpenAIChatBody } from './convert-to-openai-messages.js';
import { fromErrorValue, mapOpenAIError, mapOpenAIStreamError } from './openai-error.js';
import { resolveOpenAISettings, type OpenAIDriverSettings } from './openai-options.js';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.js';
import { createOpenAIBatchApi } from './openai-batch.js';
import { fromOpenAIChatResponse, toOpenAIUsage } from './openai-response.js';

/** The OpenAI driver: every optional capability of DriverV1 is present (`doBatch` unless `batch: false`). */
export type OpenAIDriver = DriverV1 & Required<Pick<DriverV1, 'doEmbed' | 'poolStats' | 'close' | 'wireFormats'>>;

/** The wire formats passed through verbatim (see WireRequest). */
const WIRE_FORMATS: readonly WireFormat[] = ['openai-chat'];

/**
 * Creates a driver for OpenAI's Chat Completions, Models and Embeddings APIs,
 * also used for OpenAI-compatible providers (xAI, Groq, vLLM...) by setting
 * `provider`, `baseURL` and the key. Requests go over the injected (or owned)
 * transport; the key is read at each request. No retries here: callers wrap
 * calls in withRetry.
 */
export function createOpenAIDriver(settings: OpenAIDriverSettings = {}): OpenAIDriver {
  const resolved = resolveOpenAISettings(settings);
  const { provider, baseURL, transport } = resolved;

  /** Options for one HTTP call; the key is read now and redacted from any error. */
  function call(path: string, context: string, body: unknown, signal?: AbortSignal, requestId?: string): HttpCallOptions {
    const apiKey = resolved.resolveApiKey();
    return {
      dispatcher: transport.dispatcher(),
      url: `${baseURL}${path}`,
      headers: {
        ...resolved.headers,
        ...(apiKey !== undefined ? { authorization: `Bearer ${apiKey}` } : {}),
        ...(requestId !== undefined ? { 'x-client-request-id': requestId } : {}),
      },
      body,
      signal,
      provider,
      context,
      mapError: (response) => mapOpenAIError(response, { provider, secrets: [apiKey] }),
    };
  }

  async function doGenerate(options: DriverCallOptions): Promise<DriverGenerateResult> {
    const native = passthroughFormat(options, WIRE_FORMATS);
    const { body, warnings } = native ? { body: passthroughBody(options, provider, { stream: false }), warnings: [] } : buildOpenAIChatBody(options, false, provider);
    const response = await requestJson(call('/chat/completions', 'chat completion', body, options.signal, options.requestId));
    const completion = validateResponse(openAIChatResponseSchema, response.value, `${provider} chat completion`, provider);
    return {
      ...fromOpenAIChatResponse(completion, options.modelId, warnings),
      ...(native ? { native: { format: native, body: response.value as Record<string, unknown> } } : {}),
    };
  }

  async function* doStream(options: DriverCallOptions): AsyncGenerator<StreamPart, void, undefined> {
    const native = passthroughFormat(options, WIRE_FORMATS);
    // Usage is always asked for (tracking and cost need it); a passthrough caller who did not ask is not sent the usage chunk.
    const callerWantsUsage = native !== undefined && (options.wireRequest?.body.stream_options as { include_usage?: unknown } | null | undefined)?.include_usage === true;
    const body = native
      ? passthroughBody(options, provider, { stream: true, set: { stream_options: { ...(options.wireRequest?.body.stream_options as object | undefined), include_usage: true } } })
      : buildOpenAIChatBody(options, true, provider).body;
    const context = 'chat stream';
    const response = await requestStream(call('/chat/completions', context, body, options.signal, options.requestId));
    const state = createStreamState(native !== undefined);
    try {
      for await (const event of readServerSentEvents(response.body, { signal: options.signal, context: `${provider} ${context}`, provider })) {
        if (state.done) continue; // drain to the end so the socket is reused
        if (event.data === '[DONE]') {
          state.done = true;
          continue;
        }
        const value = parseJson(event.data, `${provider} ${context} event`, provider);
        const streamError = isErrorEvent(value) ? fromErrorValue(value) : undefined;
        if (streamError) throw mapOpenAIStreamError(streamError, { provider });
        const chunk = validateResponse(openAIChatChunkSchema, value, `${provider} ${context} chunk`, provider);
        if (!native) {
          yield* state.accept(chunk);
          continue;
        }
        for (const part of state.accept(chunk)) void part; // keeps text, tool calls and usage for the finish part
        if (callerWantsUsage || (chunk.choices?.length ?? 0) > 0 || !chunk.usage) yield { type: 'native-event', format: native, data: event.data };
      }
    } catch (error) {
      throw mapTransportError(error, { provider, context, signal: options.signal });
    }
    if (!state.done && state.finishReason === undefined) {
      throw truncatedStreamError(provider, context, 'a finish reason or [DONE]');
    }
    await waitForSocketRelease();
    yield state.finish();
  }

  async function listModels(options: { signal?: AbortSignal } = {}): Promise<DriverModel[]> {
    const response = await requestJson(call('/models', 'model list', undefined, options.signal));
    const list = validateResponse(openAIModelListSchema, response.value, `${provider} model list`, provider);
    return list.data.map((model) => ({
      modelId: model.id,
      ...(model.owned_by != null ? { ownedBy: model.owned_by } : {}),
      ...(model.created != null ? { createdAt: model.created } : {}),
      ...((model.context_length ?? model.context_window) != null
        ? { contextLength: (model.context_length ?? model.context_window)! }
        : {}),
    }));
  }

  async function doEmbed(options: DriverEmbedOptions): Promise<DriverEmbedResult> {
    const body = {
      model: options.modelId,
      input: options.input,
      encoding_format: 'float',
      ...(options.dimensions !== undefined ? { dimensions: options.dimensions } : {}),
    };
    const response = await requestJson(call('/embeddings', 'embeddings', body, options.signal));
    const result = validateResponse(openAIEmbeddingResponseSchema, response.value, `${provider} embeddings`, provider);
    if (result.data.length !== options.input.length) {
      throw new SwitchyardError({
        code: 'invalid_response',
        message: `${provider} embeddings: expected ${options.input.length} vectors, got ${result.data.length}`,
        provider,
      });
    }
    const ordered = [...result.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    const inputTokens = result.usage?.prompt_tokens ?? 0;
    return {
      embeddings: ordered.map((item) => item.embedding),
      usage: { inputTokens, outputTokens: 0, totalTokens: result.usage?.total_tokens ?? inputTokens },
    };
  }

  return {
    specificationVersion: 'v1',
    provider,
    wireFormats: WIRE_FORMATS,
    doGenerate,
    doStream,
    listModels,
    doEmbed,
    ...(settings.batch !== false ? { doBatch: createOpenAIBatchApi({ provider, call, limits: settings.batchLimits }) } : {}),
    poolStats: (): PoolStats => transport.stats(),
    close: () => transport.close(),
  };
}

/**
 * Accumulates a stream: text and tool-call deltas out, finish reason, usage
 * and whole tool calls kept (and the whole text, with `keepText`, for a
 * passthrough stream's finish part).
 */
function createStreamState(keepText: boolean) {
  const toolCalls = new Map<number, ToolCall>();
  let id: string | undefined;
  let usage: Usage | undefined;
  let text = '';
  const state = {
    done: false,
    finishReason: undefined as FinishReason | undefined,
    *accept(chunk: OpenAIChatChunk): Generator<StreamPart, void, undefined> {
      id ??= chunk.id ?? undefined;
      if (chunk.usage) usage = toOpenAIUsage(chunk.usage);
      for (const choice of chunk.choices ?? []) {
        if ((choice.index ?? 0) !== 0) continue; // only the first choice is surfaced (n > 1 is not requested)
        const delta = choice.delta;
        if (delta?.content) {
          if (keepText) text += delta.content;
          yield { type: 'text-delta', text: delta.content };
        }
        for (const toolDelta of delta?.tool_calls ?? []) {
          const argumentsDelta = toolDelta.function?.arguments ?? '';
          const known = toolCalls.get(toolDelta.index);
          if (known) {
            known.arguments += argumentsDelta;
            if (argumentsDelta) yield { type: 'tool-call-delta', index: toolDelta.index, id: known.id, argumentsDelta };
            continue;
          }
          const call: ToolCall = {
            id: toolDelta.id ?? `call_${toolDelta.index}`,
            name: toolDelta.function?.name ?? '',
            arguments: argumentsDelta,
          };
          toolCalls.set(toolDelta.index, call);
          yield { type: 'tool-call-delta', index: toolDelta.index, id: call.id, name: call.name, argumentsDelta };
        }
        if (choice.finish_reason) state.finishReason = mapOpenAIFinishReason(choice.finish_reason);
      }
    },
    finish(): StreamPart {
      return {
        type: 'finish',
        finishReason: state.finishReason ?? 'other',
        usage: usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
        ...(id !== undefined ? { id } : {}),
        toolCalls: [...toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call),
        ...(keepText ? { content: text } : {}),
      };
    },
  };
  return state;
}

function isErrorEvent(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'error' in value;
}


import { mapTransportError, requestJson, requestStream, waitForSocketRelease, type HttpCallOptions } from '../../core/http.js';
import { truncatedStreamError } from '../../core/upstream-error.js';
import { parseJson } from '../../core/safe-json.js';
import { readServerSentEvents } from '../../core/sse.js';
import { validateResponse } from '../../core/validate-response.js';
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
import type { FinishReason, Usage } from '../../spec/response.js';
import type { StreamPart } from '../../spec/stream.js';
import { buildGeminiRequestBody } from './convert-to-gemini-messages.js';
import {
  geminiBatchEmbedResponseSchema,
  geminiGenerateResponseSchema,
  geminiModelListSchema,
  type GeminiGenerateResponse,
  type GeminiUsage,
} from './gemini-api.js';
import { fromGeminiErrorValue, mapGeminiError, mapGeminiStreamError } from './gemini-error.js';
import { resolveGeminiSettings, type GeminiDriverSettings } from './gemini-options.js';
import { mapGeminiFinishReason } from './map-gemini-finish-reason.js';

/** The Gemini driver: every optional capability of DriverV1 is present. */
export type GeminiDriver = DriverV1 & Required<Pick<DriverV1, 'doEmbed' | 'poolStats' | 'close'>>;

/** Page size asked of GET models (Gemini's maximum is 1000). */
const MODEL_PAGE_SIZE = 1000;
/** A bound on model-list pages, against a server that never stops paging. */
const MAX_MODEL_PAGES = 50;
/** Most requests batchEmbedContents accepts in one call. */
const EMBED_BATCH_SIZE = 100;

/**
 * Creates a driver for Google's Gemini API (Generative Language v1beta):
 * models/{model}:generateContent, :streamGenerateContent?alt=sse,
 * :batchEmbedContents (in batches of 100) and GET models. The key goes in `x-goog-api-key`, read
 * at each request. Gemini gives function calls no ids, so they get stable
 * ones (`call_<index>`) unless the upstream sends its own. No retries here:
 * callers wrap calls in withRetry.
 */
export function createGeminiDriver(settings: GeminiDriverSettings = {}): GeminiDriver {
  const resolved = resolveGeminiSettings(settings);
  const { provider, baseURL, transport } = resolved;

  /** Options for one HTTP call; the key is read now and redacted from any error. */
  function call(path: string, context: string, body: unknown, signal: AbortSignal | undefined, modelCall: boolean): HttpCallOptions {
    const apiKey = resolved.resolveApiKey();
    return {
      dispatcher: transport.dispatcher(),
      url: `${baseURL}/${path}`,
      headers: { ...resolved.headers, ...(apiKey !== undefined ? { 'x-goog-api-key': apiKey } : {}) },
      body,
      signal,
      provider,
      context,
      mapError: (response) => mapGeminiError(response, { provider, modelCall, secrets: [apiKey] }),
    };
  }

  async function doGenerate(options: DriverCallOptions): Promise<DriverGenerateResult> {
    const { body, warnings } = buildGeminiRequestBody(options, provider);
    const context = 'generate content';
    const response = await requestJson(call(`${modelPath(options.modelId)}:generateContent`, context, body, options.signal, true));
    const result = validateResponse(geminiGenerateResponseSchema, response.value, `${provider} ${context}`, provider);
    const state = createStreamState();
    Array.from(state.accept(result)); // the whole answer is one chunk; its deltas are not needed
    const finish = state.finish();
    return {
      id: finish.id ?? options.requestId ?? '',
      modelId: result.modelVersion ?? options.modelId,
      content: state.text(),
      toolCalls: finish.toolCalls ?? [],
      finishReason: finish.finishReason,
      usage: finish.usage,
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  async function* doStream(options: DriverCallOptions): AsyncGenerator<StreamPart, void, undefined> {
    const { body } = buildGeminiRequestBody(options, provider);
    const context = 'content stream';
    const response = await requestStream(
      call(`${modelPath(options.modelId)}:streamGenerateContent?alt=sse`, context, body, options.signal, true),
    );
    const state = createStreamState();
    try {
      for await (const event of readServerSentEvents(response.body, { signal: options.signal, context: `${provider} ${context}`, provider })) {
        const value = parseJson(event.data, `${provider} ${context} event`, provider);
        const streamError = isErrorEvent(value) ? fromGeminiErrorValue(value) : undefined;
        if (streamError) throw mapGeminiStreamError(streamError, { provider });
        const chunk = validateResponse(geminiGenerateResponseSchema, value, `${provider} ${context} chunk`, provider);
        yield* state.accept(chunk);
      }
    } catch (error) {
      throw mapTransportError(error, { provider, context, signal: options.signal });
    }
    if (!state.finished()) {
      throw truncatedStreamError(provider, context, 'a finish reason');
    }
    await waitForSocketRelease();
    yield state.finish();
  }

  async function listModels(options: { signal?: AbortSignal } = {}): Promise<DriverModel[]> {
    const models: DriverModel[] = [];
    const seenTokens = new Set<string>();
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_MODEL_PAGES; page += 1) {
      const query = `pageSize=${MODEL_PAGE_SIZE}${pageToken !== undefined ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`;
      const response = await requestJson(call(`models?${query}`, 'model list', undefined, options.signal, false));
      const list = validateResponse(geminiModelListSchema, response.value, `${provider} model list`, provider);
      for (const model of list.models ?? []) {
        models.push({
          modelId: model.name.replace(/^models\//, ''),
          ...(model.displayName ? { name: model.displayName } : {}),
          ownedBy: 'google',
          ...(model.inputTokenLimit != null ? { contextLength: model.inputTokenLimit } : {}),
        });
      }
      pageToken = list.nextPageToken || undefined;
      if (pageToken === undefined || seenTokens.has(pageToken)) break;
      seenTokens.add(pageToken);
    }
    return models;
  }

  async function doEmbed(options: DriverEmbedOptions): Promise<DriverEmbedResult> {
    const path = modelPath(options.modelId);
    const embeddings: number[][] = [];
    // Gemini takes at most EMBED_BATCH_SIZE requests per call; larger inputs go in several calls, in order.
    for (let start = 0; start < options.input.length; start += EMBED_BATCH_SIZE) {
      const batch = options.input.slice(start, start + EMBED_BATCH_SIZE);
      const body = {
        requests: batch.map((text) => ({
          model: path,
          content: { parts: [{ text }] },
          ...(options.dimensions !== undefined ? { outputDimensionality: options.dimensions } : {}),
        })),
      };
      const response = await requestJson(call(`${path}:batchEmbedContents`, 'embeddings', body, options.signal, true));
      const result = validateResponse(geminiBatchEmbedResponseSchema, response.value, `${provider} embeddings`, provider);
      if (result.embeddings.length !== batch.length) {
        throw new SwitchyardError({
          code: 'invalid_response',
          message: `${provider} embeddings: expected ${batch.length} vectors, got ${result.embeddings.length}`,
          provider,
        });
      }
      embeddings.push(...result.embeddings.map((item) => item.values));
    }
    // Gemini reports no token counts for embeddings.
    return { embeddings, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } };
  }

  return {
    specificationVersion: 'v1',
    provider,
    doGenerate,
    doStream,
    listModels,
    doEmbed,
    poolStats: (): PoolStats => transport.stats(),
    close: () => transport.close(),
  };
}

/** `gemini-2.5-flash` -> `models/gemini-2.5-flash`; `models/...` and `tunedModels/...` stay as they are. */
export function modelPath(modelId: string): string {
  const path = modelId.includes('/') ? modelId : `models/${modelId}`;
  return path.split('/').map(encodeURIComponent).join('/');
}

/**
 * Accumulates Gemini responses (a whole answer or stream chunks): text and
 * tool-call deltas out; finish reason, usage, id and whole tool calls kept.
 * Thought summaries are skipped; only the first candidate is surfaced.
 */
function createStreamState() {
  const toolCalls: ToolCall[] = [];
  const texts: string[] = [];
  let id: string | undefined;
  let usage: GeminiUsage | undefined;
  let reason: string | undefined;
  let blocked = false;
  return {
    *accept(chunk: GeminiGenerateResponse): Generator<StreamPart, void, undefined> {
      id ??= chunk.responseId ?? undefined;
      if (chunk.usageMetadata) usage = chunk.usageMetadata;
      const candidate = chunk.candidates?.find((entry) => (entry.index ?? 0) === 0);
      if (!candidate && chunk.promptFeedback?.blockReason) blocked = true;
      for (const part of candidate?.content?.parts ?? []) {
        if (part.thought) continue;
        if (part.text) {
          texts.push(part.text);
          yield { type: 'text-delta', text: part.text };
        }
        if (part.functionCall) {
          const index = toolCalls.length;
          const toolCall: ToolCall = {
            id: part.functionCall.id ?? `call_${index}`,
            name: part.functionCall.name,
            arguments: JSON.stringify(part.functionCall.args ?? {}),
          };
          toolCalls.push(toolCall);
          yield { type: 'tool-call-delta', index, id: toolCall.id, name: toolCall.name, argumentsDelta: toolCall.arguments };
        }
      }
      if (candidate?.finishReason) reason = candidate.finishReason;
    },
    finished: (): boolean => reason !== undefined || blocked,
    text: (): string => texts.join(''),
    finish(): StreamPart & { type: 'finish' } {
      const finishReason: FinishReason = blocked && reason === undefined ? 'content-filter' : mapGeminiFinishReason(reason, toolCalls.length > 0);
      return { type: 'finish', finishReason, usage: toUsage(usage), ...(id !== undefined ? { id } : {}), toolCalls };
    },
  };
}

function isErrorEvent(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'error' in value;
}

function toUsage(usage: GeminiUsage | undefined): Usage {
  const inputTokens = usage?.promptTokenCount ?? 0;
  const outputTokens = (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0);
  return { inputTokens, outputTokens, totalTokens: usage?.totalTokenCount ?? inputTokens + outputTokens };
}

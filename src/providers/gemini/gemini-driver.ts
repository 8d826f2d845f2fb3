import type { ChatCodec } from '../../core/chat-codec.js';
import { createChatCalls } from '../../core/chat-codec.js';
import { createProviderHttp } from '../../core/provider-http.js';
import type {
  DriverCallOptions,
  DriverEmbedOptions,
  DriverEmbedResult,
  DriverModel,
  DriverV1,
  PoolStats,
} from '../../spec/driver.js';
import { SwitchyardError } from '../../spec/errors.js';
import type { ReasoningPart, ToolCall } from '../../spec/messages.js';
import type { FinishReason, TokenLogprob, Usage } from '../../spec/response.js';
import type { FinishPart, StreamPart } from '../../spec/stream.js';
import { buildGeminiRequestBody } from './convert-to-gemini-messages.js';
import {
  geminiBatchEmbedResponseSchema,
  geminiGenerateResponseSchema,
  geminiModelListSchema,
  type GeminiGenerateResponse,
  type GeminiLogprobsResult,
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
  const http = createProviderHttp({
    provider,
    baseURL,
    transport,
    maxResponseBytes: resolved.maxResponseBytes,
    headers: resolved.headers,
    credentials() {
      const apiKey = resolved.resolveApiKey();
      const headers: Record<string, string> = apiKey !== undefined ? { 'x-goog-api-key': apiKey } : {};
      return { headers, secrets: [apiKey] };
    },
    mapError: (response, context) => mapGeminiError(response, { provider, modelCall: context.modelCall, secrets: context.secrets }),
  });
  const { doGenerate, doStream } = createChatCalls(http, createGeminiChatCodec(provider));

  async function listModels(options: { signal?: AbortSignal } = {}): Promise<DriverModel[]> {
    const models: DriverModel[] = [];
    const seenTokens = new Set<string>();
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_MODEL_PAGES; page += 1) {
      const query = `pageSize=${MODEL_PAGE_SIZE}${pageToken !== undefined ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`;
      const list = await http.json({ path: `/models?${query}`, context: 'model list', signal: options.signal }, geminiModelListSchema);
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
      const result = await http.json(
        { path: `/${path}:batchEmbedContents`, context: 'embeddings', body, signal: options.signal, modelCall: true },
        geminiBatchEmbedResponseSchema,
      );
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

/** The generateContent codec: the body, the answer's fields, and the chunk decoder (the same state reads both). */
export function createGeminiChatCodec(provider: string): ChatCodec<GeminiGenerateResponse, GeminiGenerateResponse> {
  return {
    path: (options, stream) => `/${modelPath(options.modelId)}${stream ? ':streamGenerateContent?alt=sse' : ':generateContent'}`,
    context: { generate: 'generate content', stream: 'content stream' },
    encode: (options) => buildGeminiRequestBody(options, provider),
    responseSchema: geminiGenerateResponseSchema,
    decode(result, options: DriverCallOptions) {
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
        ...state.reasoning(),
        ...(finish.logprobs !== undefined ? { logprobs: finish.logprobs } : {}),
      };
    },
    stream: {
      framing: 'sse',
      chunkSchema: geminiGenerateResponseSchema,
      errorOf(value) {
        const streamError = isErrorEvent(value) ? fromGeminiErrorValue(value) : undefined;
        return streamError ? mapGeminiStreamError(streamError, { provider }) : undefined;
      },
      closing: 'a finish reason',
      createDecoder() {
        const state = createStreamState();
        return { accept: (chunk) => state.accept(chunk), done: () => false, complete: () => state.finished(), finish: () => state.finish() };
      },
    },
  };
}

/** `gemini-2.5-flash` -> `models/gemini-2.5-flash`; `models/...` and `tunedModels/...` stay as they are. */
export function modelPath(modelId: string): string {
  const path = modelId.includes('/') ? modelId : `models/${modelId}`;
  return path.split('/').map(encodeURIComponent).join('/');
}

/**
 * Accumulates Gemini responses (a whole answer or stream chunks): text,
 * reasoning (thought summaries, `thought: true` parts, with their
 * `thoughtSignature`) and tool-call deltas out; finish reason, usage, id,
 * whole tool calls and the chosen tokens' log probabilities
 * (`logprobsResult`) kept. Only the first candidate is surfaced.
 */
function createStreamState() {
  const toolCalls: ToolCall[] = [];
  const texts: string[] = [];
  const thoughts: string[] = [];
  const logprobs: TokenLogprob[] = [];
  let signature: string | undefined;
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
      if (candidate?.logprobsResult) logprobs.push(...toLogprobs(candidate.logprobsResult));
      for (const part of candidate?.content?.parts ?? []) {
        if (part.thought) {
          if (part.thoughtSignature) signature = part.thoughtSignature;
          if (part.text || part.thoughtSignature) {
            thoughts.push(part.text ?? '');
            yield { type: 'reasoning-delta', text: part.text ?? '', ...(part.thoughtSignature ? { signature: part.thoughtSignature } : {}) };
          }
          continue;
        }
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
            ...(part.thoughtSignature ? { signature: part.thoughtSignature } : {}),
          };
          toolCalls.push(toolCall);
          yield { type: 'tool-call-delta', index, id: toolCall.id, name: toolCall.name, argumentsDelta: toolCall.arguments };
        }
      }
      if (candidate?.finishReason) reason = candidate.finishReason;
    },
    finished: (): boolean => reason !== undefined || blocked,
    text: (): string => texts.join(''),
    /** The thoughts as one reasoning part, when there were any. */
    reasoning: (): { reasoning?: ReasoningPart[] } =>
      thoughts.length > 0 ? { reasoning: [{ type: 'reasoning', text: thoughts.join(''), ...(signature !== undefined ? { signature } : {}) }] } : {},
    finish(): FinishPart {
      const finishReason: FinishReason = blocked && reason === undefined ? 'content-filter' : mapGeminiFinishReason(reason, toolCalls.length > 0);
      return {
        type: 'finish',
        finishReason,
        usage: toUsage(usage),
        ...(id !== undefined ? { id } : {}),
        toolCalls,
        ...(logprobs.length > 0 ? { logprobs } : {}),
      };
    },
  };
}

/** Gemini's chosen tokens and their top alternatives, step by step, as neutral log probabilities. */
function toLogprobs(result: GeminiLogprobsResult): TokenLogprob[] {
  return (result.chosenCandidates ?? []).map((chosen, step) => {
    const top = result.topCandidates?.[step]?.candidates;
    return {
      token: chosen.token ?? '',
      logprob: chosen.logProbability ?? 0,
      ...(top ? { topLogprobs: top.map((entry) => ({ token: entry.token ?? '', logprob: entry.logProbability ?? 0 })) } : {}),
    };
  });
}

function isErrorEvent(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'error' in value;
}

function toUsage(usage: GeminiUsage | undefined): Usage {
  const inputTokens = usage?.promptTokenCount ?? 0;
  const outputTokens = (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0);
  return { inputTokens, outputTokens, totalTokens: usage?.totalTokenCount ?? inputTokens + outputTokens };
}

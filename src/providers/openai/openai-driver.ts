import type { ChatCodec, StreamDecoder } from '../../core/chat-codec.js';
import { createChatCalls } from '../../core/chat-codec.js';
import { requestJson } from '../../core/http.js';
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
import type { ToolCall } from '../../spec/messages.js';
import type { WireFormat } from '../../spec/request.js';
import type { FinishReason, TokenLogprob, Usage } from '../../spec/response.js';
import type { FinishPart, StreamPart } from '../../spec/stream.js';
import {
  openAIChatChunkSchema,
  openAIChatResponseSchema,
  openAIEmbeddingResponseSchema,
  openAIModelListSchema,
  type OpenAIChatChunk,
  type OpenAIChatResponse,
  type OpenAILogprobs,
  type OpenAIUsage,
} from './openai-api.js';
import { buildOpenAIChatBody } from './convert-to-openai-messages.js';
import { fromErrorValue, mapOpenAIError, mapOpenAIStreamError } from './openai-error.js';
import { resolveOpenAISettings, type OpenAIDriverSettings } from './openai-options.js';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.js';
import { createOpenAIBatchApi } from './openai-batch.js';
import { createOpenAIResponsesCodec, RESPONSES_WIRE_FORMATS } from './openai-responses-codec.js';

/** The OpenAI driver: every optional capability of DriverV1 is present (`doBatch` unless `batch: false`). */
export type OpenAIDriver = DriverV1 & Required<Pick<DriverV1, 'doEmbed' | 'doDeleteResponse' | 'poolStats' | 'close' | 'wireFormats'>>;

/** The wire formats passed through verbatim (see WireRequest). */
const WIRE_FORMATS: readonly WireFormat[] = ['openai-chat'];
const ALL_WIRE_FORMATS: readonly WireFormat[] = [...WIRE_FORMATS, ...RESPONSES_WIRE_FORMATS];

/**
 * Creates a driver for OpenAI's Chat Completions, Models and Embeddings APIs
 * (and the Responses API as a same-wire passthrough),
 * also used for OpenAI-compatible providers (xAI, Groq, vLLM...) by setting
 * `provider`, `baseURL` and the key. Requests go over the injected (or owned)
 * transport; the key is read at each request. No retries here: callers wrap
 * calls in withRetry.
 */
export function createOpenAIDriver(settings: OpenAIDriverSettings = {}): OpenAIDriver {
  const resolved = resolveOpenAISettings(settings);
  const { provider, baseURL, transport } = resolved;
  const http = createProviderHttp({
    provider,
    baseURL,
    transport,
    maxResponseBytes: resolved.maxResponseBytes,
    headers: resolved.headers,
    credentials() {
      const apiKey = resolved.resolveApiKey();
      const headers: Record<string, string> = apiKey !== undefined ? { authorization: `Bearer ${apiKey}` } : {};
      return { headers, secrets: [apiKey] };
    },
    mapError: (response, context) => mapOpenAIError(response, { provider, secrets: context.secrets }),
  });
  const codec = createOpenAIChatCodec(provider);
  const chat = createChatCalls(http, codec);
  // A Responses API call (its wire body passed through) goes to /responses; every other call is a chat completion.
  const responses = createChatCalls(http, createOpenAIResponsesCodec(provider));
  const callsFor = (options: DriverCallOptions) => (options.wireRequest?.format === 'openai-responses' ? responses : chat);
  const doGenerate = (options: DriverCallOptions) => callsFor(options).doGenerate(options);
  const doStream = (options: DriverCallOptions) => callsFor(options).doStream(options);

  async function listModels(options: { signal?: AbortSignal } = {}): Promise<DriverModel[]> {
    const list = await http.json({ path: '/models', context: 'model list', signal: options.signal }, openAIModelListSchema);
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
    const input = options.tokenInput ?? options.input;
    const body = {
      ...options.passthrough,
      model: options.modelId,
      input,
      encoding_format: 'float',
      ...(options.dimensions !== undefined ? { dimensions: options.dimensions } : {}),
    };
    const result = await http.json({ path: '/embeddings', context: 'embeddings', body, signal: options.signal, modelCall: true }, openAIEmbeddingResponseSchema);
    if (result.data.length !== input.length) {
      throw new SwitchyardError({
        code: 'invalid_response',
        message: `${provider} embeddings: expected ${input.length} vectors, got ${result.data.length}`,
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

  /** DELETE /responses/{id}: the provider's stored copy of a response it answered; its 404 is false. */
  async function doDeleteResponse(id: string, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    const call = http.options({ path: `/responses/${encodeURIComponent(id)}`, context: 'response delete', signal: options.signal });
    try {
      await requestJson({ ...call, method: 'DELETE' });
      return true;
    } catch (error) {
      if (SwitchyardError.is(error) && error.status === 404) return false;
      throw error;
    }
  }

  return {
    specificationVersion: 'v1',
    provider,
    wireFormats: ALL_WIRE_FORMATS,
    doGenerate,
    doStream,
    listModels,
    doEmbed,
    embedWire: 'openai',
    doDeleteResponse,
    ...(settings.batch !== false ? { doBatch: createOpenAIBatchApi({ http, codec, limits: settings.batchLimits }) } : {}),
    poolStats: (): PoolStats => transport.stats(),
    close: () => transport.close(),
  };
}

/** The Chat Completions codec: the body, the answer's fields, and the chunk decoder. */
export function createOpenAIChatCodec(provider: string): ChatCodec<OpenAIChatResponse, OpenAIChatChunk> {
  return {
    path: () => '/chat/completions',
    context: { generate: 'chat completion', stream: 'chat stream' },
    encode: (options, stream) => buildOpenAIChatBody(options, stream, provider),
    responseSchema: openAIChatResponseSchema,
    decode(completion, options: DriverCallOptions) {
      const choice = completion.choices[0];
      return {
        id: completion.id ?? '',
        modelId: completion.model ?? options.modelId,
        content: choice.message.content ?? choice.message.refusal ?? '',
        toolCalls: (choice.message.tool_calls ?? []).map((toolCall) => ({
          id: toolCall.id,
          name: toolCall.function.name,
          arguments: toolCall.function.arguments ?? '',
        })),
        finishReason: mapOpenAIFinishReason(choice.finish_reason),
        usage: toUsage(completion.usage),
        ...(choice.logprobs?.content ? { logprobs: toLogprobs(choice.logprobs) } : {}),
        ...(choice.message.reasoning_content ? { reasoning: [{ type: 'reasoning' as const, text: choice.message.reasoning_content }] } : {}),
      };
    },
    stream: {
      framing: 'sse',
      terminator: '[DONE]',
      chunkSchema: openAIChatChunkSchema,
      errorOf(value) {
        const streamError = isErrorEvent(value) ? fromErrorValue(value) : undefined;
        return streamError ? mapOpenAIStreamError(streamError, { provider }) : undefined;
      },
      closing: 'a finish reason or [DONE]',
      createDecoder: () => createStreamState(),
    },
    passthrough: {
      formats: WIRE_FORMATS,
      // stream_options is refused by OpenAI without stream.
      generateOmits: ['stream_options'],
      // Usage is always asked for (tracking and cost need it); a passthrough caller who did not ask is not sent the usage chunk.
      streamFields: (options) => ({ stream_options: { ...(options.wireRequest?.body.stream_options as object | undefined), include_usage: true } }),
      forwards: (chunk, options) => callerWantsUsage(options) || (chunk.choices?.length ?? 0) > 0 || !chunk.usage,
    },
  };
}

/** Accumulates a stream: text and tool-call deltas out, finish reason, usage and whole tool calls kept. */
function createStreamState(): StreamDecoder<OpenAIChatChunk> {
  const toolCalls = new Map<number, ToolCall>();
  let id: string | undefined;
  let usage: Usage | undefined;
  const logprobs: TokenLogprob[] = [];
  const state = {
    finishReason: undefined as FinishReason | undefined,
    // Drained after [DONE] (the skeleton's terminator) only; a finish reason alone may still be followed by usage.
    done: () => false,
    complete: () => state.finishReason !== undefined,
    *accept(chunk: OpenAIChatChunk): Generator<StreamPart, void, undefined> {
      id ??= chunk.id ?? undefined;
      if (chunk.usage) usage = toUsage(chunk.usage);
      for (const choice of chunk.choices ?? []) {
        if ((choice.index ?? 0) !== 0) continue; // only the first choice is surfaced (n > 1 is not requested)
        const delta = choice.delta;
        if (choice.logprobs?.content) logprobs.push(...toLogprobs(choice.logprobs));
        if (delta?.reasoning_content) yield { type: 'reasoning-delta', text: delta.reasoning_content };
        if (delta?.content) yield { type: 'text-delta', text: delta.content };
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
    finish(): FinishPart {
      return {
        type: 'finish',
        finishReason: state.finishReason ?? 'other',
        usage: usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
        ...(id !== undefined ? { id } : {}),
        toolCalls: [...toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call),
        ...(logprobs.length > 0 ? { logprobs } : {}),
      };
    },
  };
  return state;
}

function callerWantsUsage(options: DriverCallOptions): boolean {
  return (options.wireRequest?.body.stream_options as { include_usage?: unknown } | null | undefined)?.include_usage === true;
}

function toLogprobs(logprobs: OpenAILogprobs): TokenLogprob[] {
  return (logprobs.content ?? []).map((entry) => ({
    token: entry.token,
    logprob: entry.logprob,
    ...(entry.top_logprobs ? { topLogprobs: entry.top_logprobs.map((top) => ({ token: top.token, logprob: top.logprob })) } : {}),
  }));
}

function isErrorEvent(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'error' in value;
}

function toUsage(usage: OpenAIUsage | null | undefined): Usage {
  const inputTokens = usage?.prompt_tokens ?? 0;
  const outputTokens = usage?.completion_tokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: usage?.total_tokens ?? inputTokens + outputTokens };
}

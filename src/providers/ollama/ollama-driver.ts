import { randomUUID } from 'node:crypto';
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
import type { Usage } from '../../spec/response.js';
import type { FinishPart, StreamPart } from '../../spec/stream.js';
import { buildOllamaChatBody } from './convert-to-ollama-messages.js';
import { mapOllamaFinishReason } from './map-ollama-finish-reason.js';
import { ollamaChatResponseSchema, ollamaEmbedResponseSchema, ollamaTagsSchema, type OllamaChatResponse } from './ollama-api.js';
import { fromOllamaErrorValue, mapOllamaError, mapOllamaStreamError } from './ollama-error.js';
import { resolveOllamaSettings, type OllamaDriverSettings } from './ollama-options.js';

/** The Ollama driver: every optional capability of DriverV1 is present. */
export type OllamaDriver = DriverV1 & Required<Pick<DriverV1, 'doEmbed' | 'poolStats' | 'close'>>;

/**
 * Creates a driver for Ollama's native API: POST /api/chat (NDJSON stream or
 * one JSON answer), GET /api/tags, POST /api/embed. No key. Ollama's tool
 * calls carry object arguments (sent on as JSON strings) and usually no ids,
 * so they get stable ones (`call_<index>`). No retries here: callers wrap
 * calls in withRetry.
 */
export function createOllamaDriver(settings: OllamaDriverSettings = {}): OllamaDriver {
  const { provider, baseURL, headers, transport, maxResponseBytes } = resolveOllamaSettings(settings);
  const credentials = { headers: {}, secrets: secretsOf(headers) };
  const http = createProviderHttp({
    provider,
    baseURL,
    transport,
    maxResponseBytes,
    headers,
    credentials: () => credentials,
    mapError: (response, context) => mapOllamaError(response, { provider, modelCall: context.modelCall, secrets: context.secrets }),
  });
  const { doGenerate, doStream } = createChatCalls(http, createOllamaChatCodec(provider));

  async function listModels(options: { signal?: AbortSignal } = {}): Promise<DriverModel[]> {
    const tags = await http.json({ path: '/api/tags', context: 'model list', signal: options.signal }, ollamaTagsSchema);
    return (tags.models ?? []).map((model) => {
      const modified = model.modified_at ? Date.parse(model.modified_at) : Number.NaN;
      return {
        // `llama3.2` and `llama3.2:latest` are the same model to Ollama; the catalog uses the short form.
        modelId: (model.model ?? model.name).replace(/:latest$/, ''),
        name: model.name,
        ownedBy: 'ollama',
        ...(Number.isFinite(modified) ? { createdAt: Math.floor(modified / 1000) } : {}),
      };
    });
  }

  async function doEmbed(options: DriverEmbedOptions): Promise<DriverEmbedResult> {
    const body = {
      model: options.modelId,
      input: options.input,
      ...(options.dimensions !== undefined ? { dimensions: options.dimensions } : {}),
    };
    const result = await http.json({ path: '/api/embed', context: 'embeddings', body, signal: options.signal, modelCall: true }, ollamaEmbedResponseSchema);
    if (result.embeddings.length !== options.input.length) {
      throw new SwitchyardError({
        code: 'invalid_response',
        message: `${provider} embeddings: expected ${options.input.length} vectors, got ${result.embeddings.length}`,
        provider,
      });
    }
    const inputTokens = result.prompt_eval_count ?? 0;
    return { embeddings: result.embeddings, usage: { inputTokens, outputTokens: 0, totalTokens: inputTokens } };
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

/** The /api/chat codec: the body, the answer's fields, and the line decoder (the same state reads both). */
export function createOllamaChatCodec(provider: string): ChatCodec<OllamaChatResponse, OllamaChatResponse> {
  return {
    path: () => '/api/chat',
    context: { generate: 'chat', stream: 'chat stream' },
    encode: (options, stream) => buildOllamaChatBody(options, stream, provider),
    responseSchema: ollamaChatResponseSchema,
    decode(result, options: DriverCallOptions) {
      const state = createStreamState();
      Array.from(state.accept(result)); // the whole answer is one line; its deltas are not needed
      const finish = state.finish();
      return {
        id: options.requestId ?? `ollama-${randomUUID()}`,
        modelId: result.model ?? options.modelId,
        content: state.text(),
        toolCalls: finish.toolCalls ?? [],
        finishReason: finish.finishReason,
        usage: finish.usage,
        ...state.reasoning(),
      };
    },
    stream: {
      framing: 'ndjson',
      chunkSchema: ollamaChatResponseSchema,
      errorOf(value) {
        const streamError = fromOllamaErrorValue(value);
        return streamError !== undefined ? mapOllamaStreamError(streamError, { provider }) : undefined;
      },
      closing: 'its done line',
      createDecoder() {
        const state = createStreamState();
        return { accept: (line) => state.accept(line), done: () => state.done(), complete: () => state.done(), finish: () => state.finish() };
      },
    },
  };
}

/** Credentials a proxy may need in headers; kept out of error messages. */
function secretsOf(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([name]) => /authorization|api-key|token/i.test(name))
    .map(([, value]) => value.replace(/^Bearer\s+/i, ''));
}

/**
 * Accumulates /api/chat lines (or the one whole answer): reasoning
 * (`message.thinking`), text and tool-call deltas out; done reason, counts
 * and whole tool calls kept.
 */
function createStreamState() {
  const toolCalls: ToolCall[] = [];
  const texts: string[] = [];
  const thoughts: string[] = [];
  let last: OllamaChatResponse | undefined;
  return {
    *accept(line: OllamaChatResponse): Generator<StreamPart, void, undefined> {
      const message = line.message;
      if (message?.thinking) {
        thoughts.push(message.thinking);
        yield { type: 'reasoning-delta', text: message.thinking };
      }
      if (message?.content) {
        texts.push(message.content);
        yield { type: 'text-delta', text: message.content };
      }
      for (const toolCall of message?.tool_calls ?? []) {
        const index = toolCalls.length;
        const wireArguments = toolCall.function.arguments;
        const call: ToolCall = {
          id: toolCall.id ?? `call_${index}`,
          name: toolCall.function.name,
          arguments: typeof wireArguments === 'string' ? wireArguments : JSON.stringify(wireArguments ?? {}),
        };
        toolCalls.push(call);
        yield { type: 'tool-call-delta', index, id: call.id, name: call.name, argumentsDelta: call.arguments };
      }
      if (line.done) last = line;
    },
    done: (): boolean => last !== undefined,
    text: (): string => texts.join(''),
    /** The thinking as one reasoning part, when there was any. */
    reasoning: (): { reasoning?: ReasoningPart[] } => (thoughts.length > 0 ? { reasoning: [{ type: 'reasoning', text: thoughts.join('') }] } : {}),
    finish(): FinishPart {
      const inputTokens = last?.prompt_eval_count ?? 0;
      const outputTokens = last?.eval_count ?? 0;
      const usage: Usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
      return { type: 'finish', finishReason: mapOllamaFinishReason(last?.done_reason, toolCalls.length > 0), usage, toolCalls };
    },
  };
}

import { randomUUID } from 'node:crypto';
import { truncatedStreamError } from '../../core/upstream-error.js';
import { mapTransportError, requestJson, requestStream, waitForSocketRelease, type HttpCallOptions } from '../../core/http.js';
import { readJsonLines } from '../../core/sse.js';
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
import type { Usage } from '../../spec/response.js';
import type { StreamPart } from '../../spec/stream.js';
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
  const { provider, baseURL, headers, transport } = resolveOllamaSettings(settings);

  function call(path: string, context: string, body: unknown, signal: AbortSignal | undefined, modelCall: boolean): HttpCallOptions {
    return {
      dispatcher: transport.dispatcher(),
      url: `${baseURL}${path}`,
      headers: { ...headers },
      body,
      signal,
      provider,
      context,
      mapError: (response) => mapOllamaError(response, { provider, modelCall, secrets: secretsOf(headers) }),
    };
  }

  async function doGenerate(options: DriverCallOptions): Promise<DriverGenerateResult> {
    const { body, warnings } = buildOllamaChatBody(options, false, provider);
    const response = await requestJson(call('/api/chat', 'chat', body, options.signal, true));
    const result = validateResponse(ollamaChatResponseSchema, response.value, `${provider} chat`, provider);
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
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  async function* doStream(options: DriverCallOptions): AsyncGenerator<StreamPart, void, undefined> {
    const { body } = buildOllamaChatBody(options, true, provider);
    const context = 'chat stream';
    const response = await requestStream(call('/api/chat', context, body, options.signal, true));
    const state = createStreamState();
    try {
      for await (const value of readJsonLines(response.body, { signal: options.signal, context: `${provider} ${context}`, provider })) {
        if (state.done()) continue; // drain to the end so the socket is reused
        const streamError = fromOllamaErrorValue(value);
        if (streamError !== undefined) throw mapOllamaStreamError(streamError, { provider });
        const line = validateResponse(ollamaChatResponseSchema, value, `${provider} ${context} line`, provider);
        yield* state.accept(line);
      }
    } catch (error) {
      throw mapTransportError(error, { provider, context, signal: options.signal });
    }
    if (!state.done()) {
      throw truncatedStreamError(provider, context, 'its done line');
    }
    await waitForSocketRelease();
    yield state.finish();
  }

  async function listModels(options: { signal?: AbortSignal } = {}): Promise<DriverModel[]> {
    const response = await requestJson(call('/api/tags', 'model list', undefined, options.signal, false));
    const tags = validateResponse(ollamaTagsSchema, response.value, `${provider} model list`, provider);
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
    const response = await requestJson(call('/api/embed', 'embeddings', body, options.signal, true));
    const result = validateResponse(ollamaEmbedResponseSchema, response.value, `${provider} embeddings`, provider);
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

/** Credentials a proxy may need in headers; kept out of error messages. */
function secretsOf(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([name]) => /authorization|api-key|token/i.test(name))
    .map(([, value]) => value.replace(/^Bearer\s+/i, ''));
}

/**
 * Accumulates /api/chat lines (or the one whole answer): text and tool-call
 * deltas out; done reason, counts and whole tool calls kept. `thinking`
 * text is not surfaced.
 */
function createStreamState() {
  const toolCalls: ToolCall[] = [];
  const texts: string[] = [];
  let last: OllamaChatResponse | undefined;
  return {
    *accept(line: OllamaChatResponse): Generator<StreamPart, void, undefined> {
      const message = line.message;
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
    finish(): StreamPart & { type: 'finish' } {
      const inputTokens = last?.prompt_eval_count ?? 0;
      const outputTokens = last?.eval_count ?? 0;
      const usage: Usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
      return { type: 'finish', finishReason: mapOllamaFinishReason(last?.done_reason, toolCalls.length > 0), usage, toolCalls };
    },
  };
}

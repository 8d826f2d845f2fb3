import type { ServerResponse } from 'node:http';
import { sendJson, writeChunk } from './mock-http.js';
import {
  GEMINI_MOCK_MODELS,
  decideGeminiReply,
  generateContentResponse,
  geminiContentText,
  geminiEmbedding,
  geminiErrorBody,
  geminiModel,
  geminiModelPage,
  geminiUsage,
  invalidApiKeyBody,
  logprobsResultFor,
  replyFinishReason,
  replyParts,
  sseEvent,
  thoughtParts,
  type MockGeminiContent,
  type MockGeminiReply,
  type MockGeminiRequest,
} from './gemini-wire.js';
import {
  sendMisbehaviour,
  startMockServer,
  type MockMisbehaviour,
  type MockMode,
  type MockRequest,
  type MockScript,
  type MockServer,
  type MockServerOptions,
} from './mock-server-core.js';
import { streamTextPieces } from './mock-wire.js';

/** A special behaviour for a request: stall before headers, stall mid-body, or send broken JSON / SSE. */
export type GeminiMockMode = MockMode<'json' | 'sse'>;

/** A scripted answer to one request: a raw reply (`status`, `headers`, `body`) or a `mode`. */
export type GeminiMockScript = MockScript<GeminiMockMode>;

/** A request as the `onRequest` hook sees it. */
export interface GeminiMockRequest extends MockRequest {
  /** The path without the query, e.g. `/v1beta/models/gemini-2.5-flash:generateContent`. */
  path: string;
  query: Record<string, string>;
}

/** Options of the Gemini mock server; all optional. */
export interface GeminiMockServerOptions extends MockServerOptions<GeminiMockRequest, 'json' | 'sse'> {
  /** Fixed reply text. Default: an echo of the last user text. */
  reply?: string;
  /** Probability (0..1) of a 500 INTERNAL, drawn from a seeded source. Default 0. */
  errorRate?: number;
  /** When set, requests need `x-goog-api-key: <apiKey>` or `?key=` (none: 403 PERMISSION_DENIED, wrong: 400 API_KEY_INVALID). */
  apiKey?: string;
  /** Models listed by GET /v1beta/models. */
  models?: string[];
  /** Answer model calls for models not in `models` with 404 NOT_FOUND, as Gemini does. Default false (any model answers). */
  strictModels?: boolean;
  /** Largest page of GET /v1beta/models, whatever `pageSize` asks. Default 1000. */
  modelsPageSize?: number;
  /** Embedding size when the request gives no `outputDimensionality`. Default 8. */
  embeddingDimensions?: number;
  /** When set, streamed replies carry this many bytes of text instead of the reply. */
  hugeStreamBytes?: number;
}

/** A running Gemini mock server. */
export interface GeminiMockServer extends MockServer<GeminiMockServerOptions, GeminiMockScript, GeminiMockRequest> {
  /** Base URL ending in `/v1beta`, e.g. `http://127.0.0.1:41234/v1beta`. */
  url: string;
}

/** Gemini's limit on requests in one batchEmbedContents call. */
const GEMINI_MAX_EMBED_BATCH = 100;
const MODEL_CALL = /^\/v1beta\/(models|tunedModels)\/([^/:]+):([A-Za-z]+)$/;
const PERMISSION_DENIED =
  "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";

/** Broken and stalled bodies of the hang-body and malformed modes (the stream kind is SSE, `alt=sse`). */
const MISBEHAVIOUR: MockMisbehaviour = {
  brokenJson: '{"candidates":[{"content":{"parts":[{"text":"Hel',
  brokenStream: { headers: { 'content-type': 'text/event-stream' }, chunks: ['data: {"candidates":[{"content":{"parts":[{"text":"Hel\r\n\r\n'] },
  stalledStream: { headers: { 'content-type': 'text/event-stream' }, chunks: [': stalled\r\n\r\n'] },
  stalledJson: { headers: { 'content-type': 'application/json; charset=UTF-8' }, chunks: ['{"candidates":'] },
};

/**
 * Starts a real HTTP server on 127.0.0.1 speaking Gemini's wire format
 * (v1beta): POST models/{model}:generateContent, :streamGenerateContent
 * (SSE with `?alt=sse`, else a streamed JSON array), :embedContent,
 * :batchEmbedContents, :countTokens, GET models (paged) and models/{model}.
 * Used by tests, benchmarks and `switchyard mock-upstream --flavor gemini`.
 */
export async function startGeminiMockServer(options: GeminiMockServerOptions = {}): Promise<GeminiMockServer> {
  return startMockServer(options, ({ settings, sequence, stats, createChunkSender }) => {
    const misbehave = (mode: GeminiMockMode, sse: boolean, response: ServerResponse): Promise<void> =>
      sendMisbehaviour(response, mode, sse, MISBEHAVIOUR, stats);

    const models = (): string[] => settings().models ?? GEMINI_MOCK_MODELS;

    async function route(request: GeminiMockRequest, mode: GeminiMockMode, response: ServerResponse): Promise<void> {
      const { method, path } = request;
      const modelCall = MODEL_CALL.exec(path);
      if (method === 'POST' && modelCall) {
        const [, , model, action] = modelCall;
        if (settings().strictModels && !models().includes(model)) {
          const message = `models/${model} is not found for API version v1beta, or is not supported for ${action}. Call ListModels to see the list of available models and their supported methods.`;
          return sendJson(response, 404, geminiErrorBody(404, message, 'NOT_FOUND'));
        }
        if (action === 'generateContent' || action === 'streamGenerateContent') {
          return generate(request, model, action === 'streamGenerateContent', mode, response);
        }
        if (mode !== 'normal') return misbehave(mode, false, response);
        if (action === 'embedContent') return embed(request.body, false, response);
        if (action === 'batchEmbedContents') return embed(request.body, true, response);
        if (action === 'countTokens') {
          const contents = ((request.body as { contents?: MockGeminiContent[] } | undefined)?.contents ?? []);
          const totalTokens = contents.reduce((sum, content) => sum + 3 + geminiContentText(content).split(/\s+/).filter(Boolean).length, 2);
          return sendJson(response, 200, { totalTokens });
        }
      }
      if (mode !== 'normal') return misbehave(mode, false, response);
      if (method === 'GET' && path === '/v1beta/models') {
        const asked = Number(request.query.pageSize) || 50;
        const pageSize = Math.max(1, Math.min(asked, 1000, settings().modelsPageSize ?? 1000));
        return sendJson(response, 200, geminiModelPage(models(), pageSize, request.query.pageToken));
      }
      if (method === 'GET' && path.startsWith('/v1beta/models/')) {
        const id = decodeURIComponent(path.slice('/v1beta/models/'.length));
        if (models().includes(id)) return sendJson(response, 200, geminiModel(id));
        return sendJson(response, 404, geminiErrorBody(404, `models/${id} is not found for API version v1beta.`, 'NOT_FOUND'));
      }
      sendJson(response, 404, geminiErrorBody(404, `Method not found: ${method} ${path}`, 'NOT_FOUND'));
    }

    async function generate(request: GeminiMockRequest, model: string, streaming: boolean, mode: GeminiMockMode, response: ServerResponse): Promise<void> {
      const generateRequest = request.body as Partial<MockGeminiRequest> | undefined;
      if (!Array.isArray(generateRequest?.contents) || generateRequest.contents.length === 0) {
        return sendJson(response, 400, geminiErrorBody(400, '* GenerateContentRequest.contents: contents is not specified\n', 'INVALID_ARGUMENT'));
      }
      if (generateRequest.contents.some((content) => content.role !== undefined && content.role !== 'user' && content.role !== 'model')) {
        return sendJson(response, 400, geminiErrorBody(400, 'Please use a valid role: user, model.', 'INVALID_ARGUMENT'));
      }
      const valid = generateRequest as MockGeminiRequest;
      const sse = request.query.alt === 'sse';
      if (mode !== 'normal') return misbehave(mode, streaming && sse, response);
      const id = `mock-gemini-${sequence()}`;
      const reply = decideGeminiReply(valid, settings().reply);
      if (!streaming) {
        const logprobs = reply.kind === 'text' ? logprobsResultFor(valid, reply.text) : undefined;
        return sendJson(response, 200, generateContentResponse(model, id, replyParts(valid, reply), replyFinishReason(reply), geminiUsage(valid, reply), logprobs));
      }
      await stream(valid, model, reply, id, sse, response);
    }

    async function stream(request: MockGeminiRequest, model: string, reply: MockGeminiReply, id: string, sse: boolean, response: ServerResponse): Promise<void> {
      response.writeHead(200, {
        'content-type': sse ? 'text/event-stream' : 'application/json; charset=UTF-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      response.flushHeaders();
      const write = createChunkSender(response);
      let first = true;
      // SSE: one `data:` event per chunk. Without alt=sse Gemini streams one JSON array, element by element.
      const send = async (chunk: unknown): Promise<boolean> => {
        const text = sse ? sseEvent(chunk) : `${first ? '[' : '\n,\r\n'}${JSON.stringify(chunk)}`;
        first = false;
        return write(text);
      };
      const partial = geminiUsage(request, reply, false);
      const finishReason = replyFinishReason(reply);

      if (reply.kind === 'tool') {
        if (!(await send(generateContentResponse(model, id, replyParts(request, reply), finishReason, geminiUsage(request, reply))))) return;
      } else {
        // The thought summary first, in a chunk of its own, then the text piece by piece (each with its logprobs when asked).
        const thoughts = thoughtParts(request, reply);
        if (thoughts.length > 0 && !(await send(generateContentResponse(model, id, thoughts, undefined, partial)))) return;
        const pieces = [...streamTextPieces(reply.text, settings().hugeStreamBytes)];
        for (const [index, piece] of pieces.entries()) {
          const final = index === pieces.length - 1;
          const usage = final ? geminiUsage(request, reply) : partial;
          const chunk = generateContentResponse(model, id, [{ text: piece }], final ? finishReason : undefined, usage, logprobsResultFor(request, piece));
          if (!(await send(chunk))) return;
        }
      }
      if (!sse && !(await writeChunk(response, '\n]', stats))) return;
      response.end();
    }

    async function embed(body: unknown, batch: boolean, response: ServerResponse): Promise<void> {
      type EmbedRequest = { content?: MockGeminiContent; outputDimensionality?: number };
      const requests: EmbedRequest[] | undefined = batch
        ? (body as { requests?: EmbedRequest[] } | undefined)?.requests
        : body === undefined ? undefined : [body as EmbedRequest];
      if (!Array.isArray(requests) || requests.length === 0 || requests.some((entry) => !entry?.content)) {
        const field = batch ? 'BatchEmbedContentsRequest.requests' : 'EmbedContentRequest.content';
        return sendJson(response, 400, geminiErrorBody(400, `* ${field}: ${batch ? 'requests' : 'content'} is not specified\n`, 'INVALID_ARGUMENT'));
      }
      if (requests.length > GEMINI_MAX_EMBED_BATCH) {
        const message = `* BatchEmbedContentsRequest.requests: at most ${GEMINI_MAX_EMBED_BATCH} requests can be in one batch\n`;
        return sendJson(response, 400, geminiErrorBody(400, message, 'INVALID_ARGUMENT'));
      }
      const vectors = requests.map((entry) =>
        geminiEmbedding(geminiContentText(entry.content), entry.outputDimensionality ?? settings().embeddingDimensions ?? 8),
      );
      sendJson(response, 200, batch ? { embeddings: vectors } : { embedding: vectors[0] });
    }

    return {
      basePath: '/v1beta',
      describe: (read, url) => ({
        method: read.method,
        path: read.path,
        query: Object.fromEntries(url.searchParams),
        headers: read.headers,
        body: read.body,
      }),
      sendFailure: (response, message) => sendJson(response, 500, geminiErrorBody(500, message, 'INTERNAL')),
      checkApiKey(request, apiKey, response) {
        const given = request.headers['x-goog-api-key'] ?? request.query.key;
        if (given === undefined) {
          sendJson(response, 403, geminiErrorBody(403, PERMISSION_DENIED, 'PERMISSION_DENIED'));
          return false;
        }
        if (given === apiKey) return true;
        sendJson(response, 400, invalidApiKeyBody());
        return false;
      },
      sendInvalidJson: (response, reason) =>
        sendJson(response, 400, geminiErrorBody(400, `Invalid JSON payload received. ${reason}`, 'INVALID_ARGUMENT')),
      sendInjectedError: (response) =>
        sendJson(
          response,
          500,
          geminiErrorBody(500, 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting', 'INTERNAL'),
        ),
      route,
    };
  });
}

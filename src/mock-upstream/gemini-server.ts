import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseJson } from '../core/safe-json.js';
import {
  closeServer,
  createMockServerStats,
  createSeededRandom,
  listen,
  pause,
  readRequestText,
  resetMockServerStats,
  sendJson,
  trackMockServer,
  writeChunk,
  type MockServerStats,
} from './mock-http.js';
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
  replyFinishReason,
  replyParts,
  sseEvent,
  type MockGeminiContent,
  type MockGeminiReply,
  type MockGeminiRequest,
} from './gemini-wire.js';
import { splitIntoDeltas } from './openai-wire.js';

/** A special behaviour for a request: stall before headers, stall mid-body, or send broken JSON / SSE. */
export type GeminiMockMode = 'normal' | 'hang-headers' | 'hang-body' | 'malformed-json' | 'malformed-sse';

/** A scripted answer to one request: a raw reply (`status`, `headers`, `body`) or a `mode`. */
export interface GeminiMockScript {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  mode?: GeminiMockMode;
}

/** A request as the `onRequest` hook sees it. */
export interface GeminiMockRequest {
  method: string;
  /** The path without the query, e.g. `/v1beta/models/gemini-2.5-flash:generateContent`. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined (GET, or unparsable). */
  body: unknown;
}

/** Options of the Gemini mock server; all optional. */
export interface GeminiMockServerOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Fixed reply text. Default: an echo of the last user text. */
  reply?: string;
  /** Delay before answering any request. Default 0. */
  latencyMs?: number;
  /** Delay between stream chunks. Default 0. */
  streamChunkDelayMs?: number;
  /** Probability (0..1) of a 500 INTERNAL, drawn from a seeded source. Default 0. */
  errorRate?: number;
  /** Seed of the error-rate draws. Default 1. */
  seed?: number;
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
  /** Stall every request: before headers, or after headers with the body unfinished. */
  hang?: 'headers' | 'body';
  /** Answer every request with broken JSON (`json`) or broken SSE data (`sse`). */
  malformed?: 'json' | 'sse';
  /** Answers used, one per request and in order, before normal behaviour resumes. */
  script?: GeminiMockScript[];
  /** Called for each request; a returned script answers it (after the queue is empty). */
  onRequest?: (request: GeminiMockRequest) => GeminiMockScript | undefined | Promise<GeminiMockScript | undefined>;
}

/** A running Gemini mock server. */
export interface GeminiMockServer {
  /** Base URL ending in `/v1beta`, e.g. `http://127.0.0.1:41234/v1beta`. */
  url: string;
  port: number;
  /** Live counters (updated in place). */
  stats: MockServerStats;
  /** The last request received, for asserting what a client sent. */
  lastRequest(): GeminiMockRequest | undefined;
  /** Queues more scripted answers. */
  enqueue(...scripts: GeminiMockScript[]): void;
  /** Changes options of the running server (port and host excepted). */
  configure(options: Omit<GeminiMockServerOptions, 'port' | 'host'>): void;
  /** Zeroes the counters and empties the script queue. */
  reset(): void;
  /** Cuts all connections and stops listening. */
  close(): Promise<void>;
}

const HUGE_DELTA_SIZE = 16 * 1024;
/** Gemini's limit on requests in one batchEmbedContents call. */
const GEMINI_MAX_EMBED_BATCH = 100;
const MODEL_CALL = /^\/v1beta\/(models|tunedModels)\/([^/:]+):([A-Za-z]+)$/;

/**
 * Starts a real HTTP server on 127.0.0.1 speaking Gemini's wire format
 * (v1beta): POST models/{model}:generateContent, :streamGenerateContent
 * (SSE with `?alt=sse`, else a streamed JSON array), :embedContent,
 * :batchEmbedContents, :countTokens, GET models (paged) and models/{model}.
 * Used by tests, benchmarks and `switchyard mock-upstream --flavor gemini`.
 */
export async function startGeminiMockServer(options: GeminiMockServerOptions = {}): Promise<GeminiMockServer> {
  let settings: GeminiMockServerOptions = { ...options };
  const queue: GeminiMockScript[] = [...(options.script ?? [])];
  const stats = createMockServerStats();
  let random = createSeededRandom(settings.seed ?? 1);
  let sequence = 0;
  let last: GeminiMockRequest | undefined;
  const models = (): string[] => settings.models ?? GEMINI_MOCK_MODELS;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, geminiErrorBody(500, `mock failure: ${String(error)}`, 'INTERNAL'));
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  trackMockServer(server, stats);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const text = await readRequestText(request);
    const url = new URL(request.url ?? '/', 'http://mock');
    const path = url.pathname.replace(/\/+$/, '');
    let body: unknown;
    let bodyError: string | undefined;
    if (text.length > 0) {
      try {
        body = parseJson(text, 'mock request body');
      } catch (error) {
        bodyError = (error as Error).message;
      }
    }
    const info: GeminiMockRequest = { method: request.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), headers: request.headers, body };
    last = info;
    sequence += 1;

    if (!(await pause(settings.latencyMs ?? 0, response))) return;
    const script = queue.shift() ?? (await settings.onRequest?.(info));
    const mode = script?.mode ?? globalMode();
    if (script && script.mode === undefined) {
      sendJson(response, script.status ?? 200, script.body ?? '', script.headers);
      return;
    }
    if (mode === 'hang-headers') return; // the request stays open until the client gives up
    if (settings.apiKey !== undefined) {
      const given = request.headers['x-goog-api-key'] ?? info.query.key;
      if (given === undefined) {
        sendJson(response, 403, geminiErrorBody(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", 'PERMISSION_DENIED'));
        return;
      }
      if (given !== settings.apiKey) return sendJson(response, 400, invalidApiKeyBody());
    }
    if (bodyError !== undefined) {
      sendJson(response, 400, geminiErrorBody(400, `Invalid JSON payload received. ${bodyError}`, 'INVALID_ARGUMENT'));
      return;
    }
    if ((settings.errorRate ?? 0) > 0 && random() < settings.errorRate!) {
      sendJson(response, 500, geminiErrorBody(500, 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting', 'INTERNAL'));
      return;
    }
    await route(info, mode, response);
  }

  async function route(request: GeminiMockRequest, mode: GeminiMockMode, response: ServerResponse): Promise<void> {
    const { method, path } = request;
    const modelCall = MODEL_CALL.exec(path);
    if (method === 'POST' && modelCall) {
      const [, , model, action] = modelCall;
      if (settings.strictModels && !models().includes(model)) {
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
      const pageSize = Math.max(1, Math.min(asked, 1000, settings.modelsPageSize ?? 1000));
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
    const id = `mock-gemini-${sequence}`;
    const reply = decideGeminiReply(valid, settings.reply);
    if (!streaming) {
      return sendJson(response, 200, generateContentResponse(model, id, replyParts(reply), replyFinishReason(reply), geminiUsage(valid, reply)));
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
    const delay = settings.streamChunkDelayMs ?? 0;
    let first = true;
    // SSE: one `data:` event per chunk. Without alt=sse Gemini streams one JSON array, element by element.
    const send = async (chunk: unknown): Promise<boolean> => {
      const text = sse ? sseEvent(chunk) : `${first ? '[' : '\n,\r\n'}${JSON.stringify(chunk)}`;
      first = false;
      return (await pause(delay, response)) && writeChunk(response, text, stats);
    };
    const partial = geminiUsage(request, reply, false);
    const finishReason = replyFinishReason(reply);

    if (reply.kind === 'tool') {
      if (!(await send(generateContentResponse(model, id, replyParts(reply), finishReason, geminiUsage(request, reply))))) return;
    } else {
      const huge = settings.hugeStreamBytes;
      const pieces: string[] = [];
      if (huge !== undefined && huge > 0) {
        const block = 'abcdefghijklmnopqrstuvwxyz012345'.repeat(HUGE_DELTA_SIZE / 32);
        for (let sent = 0; sent < huge; sent += HUGE_DELTA_SIZE) pieces.push(block.slice(0, Math.min(HUGE_DELTA_SIZE, huge - sent)));
      } else {
        pieces.push(...splitIntoDeltas(reply.text));
      }
      for (const [index, piece] of pieces.entries()) {
        const final = index === pieces.length - 1;
        const chunk = generateContentResponse(model, id, [{ text: piece }], final ? finishReason : undefined, final ? geminiUsage(request, reply) : partial);
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
      geminiEmbedding(geminiContentText(entry.content), entry.outputDimensionality ?? settings.embeddingDimensions ?? 8),
    );
    sendJson(response, 200, batch ? { embeddings: vectors } : { embedding: vectors[0] });
  }

  /** hang-body and malformed modes (hang-headers is handled before routing). */
  async function misbehave(mode: GeminiMockMode, sse: boolean, response: ServerResponse): Promise<void> {
    if (mode === 'malformed-json' || (mode === 'malformed-sse' && !sse)) {
      return sendJson(response, 200, '{"candidates":[{"content":{"parts":[{"text":"Hel');
    }
    if (mode === 'malformed-sse') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeChunk(response, 'data: {"candidates":[{"content":{"parts":[{"text":"Hel\r\n\r\n', stats);
      response.end();
      return;
    }
    // hang-body: headers and the start of a body, then silence until the client leaves.
    if (sse) {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeChunk(response, ': stalled\r\n\r\n', stats);
    } else {
      response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      await writeChunk(response, '{"candidates":', stats);
    }
  }

  function globalMode(): GeminiMockMode {
    if (settings.hang) return settings.hang === 'headers' ? 'hang-headers' : 'hang-body';
    if (settings.malformed) return settings.malformed === 'json' ? 'malformed-json' : 'malformed-sse';
    return 'normal';
  }

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  return {
    url: `http://${host}:${port}/v1beta`,
    port,
    stats,
    lastRequest: () => last,
    enqueue: (...scripts) => {
      queue.push(...scripts);
    },
    configure(update) {
      settings = { ...settings, ...update };
      if (update.seed !== undefined) random = createSeededRandom(update.seed);
    },
    reset() {
      resetMockServerStats(stats);
      queue.length = 0;
    },
    close: () => closeServer(server),
  };
}

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseJson } from '../core/safe-json.js';
import { SwitchyardError } from '../spec/errors.js';
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
  chatCompletion,
  createChunkWriter,
  decideReply,
  embeddingList,
  errorBody,
  modelList,
  splitIntoDeltas,
  type MockChatRequest,
  type MockReply,
} from './openai-wire.js';

/** A special behaviour for a request: stall before headers, stall mid-body, or send broken JSON / SSE. */
export type OpenAIMockMode = 'normal' | 'hang-headers' | 'hang-body' | 'malformed-json' | 'malformed-sse';

/** A scripted answer to one request: a raw reply (`status`, `headers`, `body`) or a `mode`. */
export interface OpenAIMockScript {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  mode?: OpenAIMockMode;
}

/** A request as the `onRequest` hook sees it. */
export interface OpenAIMockRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined (GET, or unparsable). */
  body: unknown;
}

/** Options of the OpenAI mock server; all optional. */
export interface OpenAIMockServerOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Fixed reply text. Default: an echo of the last user message. */
  reply?: string;
  /** Delay before answering any request. Default 0. */
  latencyMs?: number;
  /** Delay between stream chunks. Default 0. */
  streamChunkDelayMs?: number;
  /** Probability (0..1) of a 500 `server_error`, drawn from a seeded source. Default 0. */
  errorRate?: number;
  /** Seed of the error-rate draws. Default 1. */
  seed?: number;
  /** When set, requests need `Authorization: Bearer <apiKey>` (else 401 invalid_api_key). */
  apiKey?: string;
  /** Models listed by GET /v1/models. */
  models?: string[];
  /** Embedding size when the request gives no `dimensions`. Default 8. */
  embeddingDimensions?: number;
  /** When set, streamed replies carry this many bytes of content instead of the reply text. */
  hugeStreamBytes?: number;
  /** Stall every request: before headers, or after headers with the body unfinished. */
  hang?: 'headers' | 'body';
  /** Answer every request with broken JSON (`json`) or broken SSE data (`sse`). */
  malformed?: 'json' | 'sse';
  /** Answers used, one per request and in order, before normal behaviour resumes. */
  script?: OpenAIMockScript[];
  /** Called for each request; a returned script answers it (after the queue is empty). */
  onRequest?: (request: OpenAIMockRequest) => OpenAIMockScript | undefined | Promise<OpenAIMockScript | undefined>;
}

/** A running OpenAI mock server. */
export interface OpenAIMockServer {
  /** Base URL ending in `/v1`, e.g. `http://127.0.0.1:41234/v1`. */
  url: string;
  port: number;
  /** Live counters (updated in place). */
  stats: MockServerStats;
  /** The last request received, for asserting what a client sent. */
  lastRequest(): OpenAIMockRequest | undefined;
  /** Queues more scripted answers. */
  enqueue(...scripts: OpenAIMockScript[]): void;
  /** Changes options of the running server (port and host excepted). */
  configure(options: Omit<OpenAIMockServerOptions, 'port' | 'host'>): void;
  /** Zeroes the counters and empties the script queue. */
  reset(): void;
  /** Cuts all connections and stops listening. */
  close(): Promise<void>;
}

const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'o4-mini', 'text-embedding-3-small'];
const HUGE_DELTA_SIZE = 16 * 1024;
const TOOL_ARGUMENTS_DELTA_SIZE = 8;

/**
 * Starts a real HTTP server on 127.0.0.1 speaking OpenAI's wire format:
 * POST /v1/chat/completions (JSON, or SSE ending in `data: [DONE]` with a
 * usage chunk when `stream_options.include_usage`), GET /v1/models, POST
 * /v1/embeddings (deterministic vectors). Used by tests, benchmarks and
 * `switchyard mock-upstream --flavor openai`.
 */
export async function startOpenAIMockServer(options: OpenAIMockServerOptions = {}): Promise<OpenAIMockServer> {
  let settings: OpenAIMockServerOptions = { ...options };
  const queue: OpenAIMockScript[] = [...(options.script ?? [])];
  const stats = createMockServerStats();
  let random = createSeededRandom(settings.seed ?? 1);
  let sequence = 0;
  let last: OpenAIMockRequest | undefined;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, errorBody(`mock failure: ${String(error)}`, 'server_error'));
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  trackMockServer(server, stats);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const text = await readRequestText(request);
    const path = new URL(request.url ?? '/', 'http://mock').pathname.replace(/\/+$/, '');
    let body: unknown;
    let bodyError: string | undefined;
    if (text.length > 0) {
      try {
        body = parseJson(text, 'mock request body');
      } catch (error) {
        bodyError = (error as Error).message;
      }
    }
    const info: OpenAIMockRequest = { method: request.method ?? 'GET', path, headers: request.headers, body };
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
    if (settings.apiKey !== undefined && request.headers.authorization !== `Bearer ${settings.apiKey}`) {
      sendJson(response, 401, errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
      return;
    }
    if (bodyError !== undefined) {
      sendJson(response, 400, errorBody(`We could not parse the JSON body of your request. (${bodyError})`, 'invalid_request_error'));
      return;
    }
    if ((settings.errorRate ?? 0) > 0 && random() < settings.errorRate!) {
      sendJson(response, 500, errorBody('The server had an error while processing your request. Sorry about that!', 'server_error'));
      return;
    }
    await route(info, mode, response);
  }

  async function route(request: OpenAIMockRequest, mode: OpenAIMockMode, response: ServerResponse): Promise<void> {
    const { method, path } = request;
    if (method === 'POST' && path === '/v1/chat/completions') return chat(request.body, mode, response);
    if (mode !== 'normal') return misbehave(mode, false, response);
    if (method === 'GET' && path === '/v1/models') return sendJson(response, 200, modelList(settings.models ?? DEFAULT_MODELS));
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if ((settings.models ?? DEFAULT_MODELS).includes(id)) return sendJson(response, 200, modelList([id]).data[0]);
      return sendJson(response, 404, errorBody(`The model '${id}' does not exist`, 'invalid_request_error', 'model_not_found', 'model'));
    }
    if (method === 'POST' && path === '/v1/embeddings') return embeddings(request.body, response);
    sendJson(response, 404, errorBody(`Invalid URL (${method} ${path})`, 'invalid_request_error'));
  }

  async function chat(body: unknown, mode: OpenAIMockMode, response: ServerResponse): Promise<void> {
    const chatRequest = body as Partial<MockChatRequest> | undefined;
    if (typeof chatRequest?.model !== 'string') {
      return sendJson(response, 400, errorBody('you must provide a model parameter', 'invalid_request_error', null, 'model'));
    }
    if (!Array.isArray(chatRequest.messages) || chatRequest.messages.length === 0) {
      return sendJson(response, 400, errorBody("Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages'));
    }
    const valid = chatRequest as MockChatRequest;
    if (mode !== 'normal') return misbehave(mode, valid.stream === true, response);
    const id = `chatcmpl-mock-${sequence}`;
    const reply = decideReply(valid, settings.reply, sequence);
    if (valid.stream !== true) return sendJson(response, 200, chatCompletion(valid, reply, id));
    await stream(valid, reply, id, response);
  }

  async function stream(request: MockChatRequest, reply: MockReply, id: string, response: ServerResponse): Promise<void> {
    startEventStream(response);
    const chunks = createChunkWriter(request, id);
    const delay = settings.streamChunkDelayMs ?? 0;
    const send = async (chunk: string): Promise<boolean> => (await pause(delay, response)) && writeChunk(response, chunk, stats);

    if (reply.kind === 'tool') {
      if (!(await send(chunks.toolStart(reply)))) return;
      for (let start = 0; start < reply.arguments.length; start += TOOL_ARGUMENTS_DELTA_SIZE) {
        if (!(await send(chunks.toolArguments(reply.arguments.slice(start, start + TOOL_ARGUMENTS_DELTA_SIZE))))) return;
      }
    } else {
      if (!(await send(chunks.role()))) return;
      const huge = settings.hugeStreamBytes;
      if (huge !== undefined && huge > 0) {
        const block = 'abcdefghijklmnopqrstuvwxyz012345'.repeat(HUGE_DELTA_SIZE / 32);
        for (let sent = 0; sent < huge; sent += HUGE_DELTA_SIZE) {
          if (!(await send(chunks.content(block.slice(0, Math.min(HUGE_DELTA_SIZE, huge - sent)))))) return;
        }
      } else {
        for (const piece of splitIntoDeltas(reply.text)) if (!(await send(chunks.content(piece)))) return;
      }
    }
    if (!(await send(chunks.finish(reply.kind === 'tool' ? 'tool_calls' : 'stop')))) return;
    const usage = chunks.usage(reply);
    if (usage !== undefined && !(await send(usage))) return;
    if (!(await send(chunks.done()))) return;
    response.end();
  }

  async function embeddings(body: unknown, response: ServerResponse): Promise<void> {
    const request = body as { model?: unknown; input?: unknown; dimensions?: unknown } | undefined;
    if (typeof request?.model !== 'string') {
      return sendJson(response, 400, errorBody('you must provide a model parameter', 'invalid_request_error', null, 'model'));
    }
    const inputs = typeof request.input === 'string' ? [request.input] : request.input;
    if (!Array.isArray(inputs) || inputs.length === 0) {
      return sendJson(response, 400, errorBody("'input' must be a non-empty string or array", 'invalid_request_error', null, 'input'));
    }
    const dimensions = typeof request.dimensions === 'number' ? request.dimensions : settings.embeddingDimensions ?? 8;
    const texts = inputs.map((input) => (typeof input === 'string' ? input : JSON.stringify(input)));
    sendJson(response, 200, embeddingList(request.model, texts, dimensions));
  }

  /** hang-body and malformed modes (hang-headers is handled before routing). */
  async function misbehave(mode: OpenAIMockMode, streaming: boolean, response: ServerResponse): Promise<void> {
    if (mode === 'malformed-json' || (mode === 'malformed-sse' && !streaming)) {
      return sendJson(response, 200, '{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,"message":{"content":"Hel');
    }
    if (mode === 'malformed-sse') {
      startEventStream(response);
      await writeChunk(response, 'data: {"id":"chatcmpl-broken","choices":[{"index":0,"delta":{"content":"Hel\n\n', stats);
      await writeChunk(response, 'data: [DONE]\n\n', stats);
      response.end();
      return;
    }
    // hang-body: headers and the start of a body, then silence until the client leaves.
    if (streaming) {
      startEventStream(response);
      await writeChunk(response, ': stalled\n\n', stats);
    } else {
      response.writeHead(200, { 'content-type': 'application/json' });
      await writeChunk(response, '{"id":"chatcmpl-stalled",', stats);
    }
  }

  function startEventStream(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    response.flushHeaders();
  }

  function globalMode(): OpenAIMockMode {
    if (settings.hang) return settings.hang === 'headers' ? 'hang-headers' : 'hang-body';
    if (settings.malformed) return settings.malformed === 'json' ? 'malformed-json' : 'malformed-sse';
    return 'normal';
  }

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  return {
    url: `http://${host}:${port}/v1`,
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

/** Flags of `switchyard mock-upstream --flavor openai`, as strings or numbers. */
export interface OpenAIMockCliOptions {
  port?: string | number;
  host?: string;
  latency?: string | number;
  reply?: string;
}

/**
 * Starts the OpenAI mock from CLI flags (`--port N --latency MS`), validating
 * them: a bad number is an `invalid_request` naming the flag. The caller
 * prints `url` and calls `close()` on exit.
 */
export async function startOpenAIMockServerFromCli(flags: OpenAIMockCliOptions): Promise<OpenAIMockServer> {
  return startOpenAIMockServer({
    port: cliNumber(flags.port, 'port', 0, 65_535) ?? 0,
    host: flags.host,
    latencyMs: cliNumber(flags.latency, 'latency', 0, 3_600_000),
    reply: flags.reply,
  });
}

function cliNumber(value: string | number | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new SwitchyardError({
      code: 'invalid_request',
      message: `--${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
      param: flag,
    });
  }
  return number;
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
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
  anthropicErrorBody,
  anthropicEvent,
  checkMessagesRequest,
  createEventWriter,
  decideMessageReply,
  messageResponse,
  modelInfo,
  modelPage,
  type MockMessageReply,
  type MockMessagesRequest,
} from './anthropic-wire.js';
import type { OpenAIMockMode, OpenAIMockRequest, OpenAIMockScript } from './openai-server.js';
import { splitIntoDeltas } from './openai-wire.js';

/** A special behaviour for a request: stall before headers, stall mid-body, or send broken JSON / SSE. */
export type AnthropicMockMode = OpenAIMockMode;

/** A scripted answer to one request: a raw reply (`status`, `headers`, `body`) or a `mode`. */
export type AnthropicMockScript = OpenAIMockScript;

/** A request as the `onRequest` hook sees it, with its query string (model-list cursors). */
export interface AnthropicMockRequest extends OpenAIMockRequest {
  query: URLSearchParams;
}

/** Options of the Anthropic mock server; all optional (the same as the OpenAI mock's, embeddings aside). */
export interface AnthropicMockServerOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Fixed reply text. Default: an echo of the last user message. */
  reply?: string;
  /** Delay before answering any request. Default 0. */
  latencyMs?: number;
  /** Delay between stream events. Default 0. */
  streamChunkDelayMs?: number;
  /** Probability (0..1) of a 529 `overloaded_error`, drawn from a seeded source. Default 0. */
  errorRate?: number;
  /** Seed of the error-rate draws. Default 1. */
  seed?: number;
  /** When set, requests need `x-api-key: <apiKey>` or `Authorization: Bearer <apiKey>` (else 401 authentication_error). */
  apiKey?: string;
  /** Models listed by GET /v1/models, newest first. */
  models?: string[];
  /** When set, streamed text replies carry this many bytes of content instead of the reply text. */
  hugeStreamBytes?: number;
  /** Stall every request: before headers, or after headers with the body unfinished. */
  hang?: 'headers' | 'body';
  /** Answer every request with broken JSON (`json`) or broken SSE data (`sse`). */
  malformed?: 'json' | 'sse';
  /** Answers used, one per request and in order, before normal behaviour resumes. */
  script?: AnthropicMockScript[];
  /** Called for each request; a returned script answers it (after the queue is empty). */
  onRequest?: (request: AnthropicMockRequest) => AnthropicMockScript | undefined | Promise<AnthropicMockScript | undefined>;
}

/** A running Anthropic mock server. */
export interface AnthropicMockServer {
  /** Base URL without `/v1`, as the Anthropic SDK and `ANTHROPIC_BASE_URL` expect, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** Live counters (updated in place). */
  stats: MockServerStats;
  /** The last request received, for asserting what a client sent. */
  lastRequest(): AnthropicMockRequest | undefined;
  /** Queues more scripted answers. */
  enqueue(...scripts: AnthropicMockScript[]): void;
  /** Changes options of the running server (port and host excepted). */
  configure(options: Omit<AnthropicMockServerOptions, 'port' | 'host'>): void;
  /** Zeroes the counters and empties the script queue. */
  reset(): void;
  /** Cuts all connections and stops listening. */
  close(): Promise<void>;
}

const DEFAULT_MODELS = ['claude-opus-4-1', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-3-5-haiku-20241022'];
const HUGE_DELTA_SIZE = 16 * 1024;
const TOOL_INPUT_DELTA_SIZE = 8;

/**
 * Starts a real HTTP server on 127.0.0.1 speaking Anthropic's wire format:
 * POST /v1/messages (a Message, or the SSE sequence message_start,
 * content_block_start, ping, content_block_delta..., content_block_stop,
 * message_delta, message_stop), GET /v1/models (cursor pages) and GET
 * /v1/models/{id}; errors as `{"type":"error","error":{type,message}}`.
 * Requests need `anthropic-version`, and the key when `apiKey` is set.
 * Used by tests, benchmarks and `switchyard mock-upstream --flavor anthropic`.
 */
export async function startAnthropicMockServer(options: AnthropicMockServerOptions = {}): Promise<AnthropicMockServer> {
  let settings: AnthropicMockServerOptions = { ...options };
  const queue: AnthropicMockScript[] = [...(options.script ?? [])];
  const stats = createMockServerStats();
  let random = createSeededRandom(settings.seed ?? 1);
  let sequence = 0;
  let last: AnthropicMockRequest | undefined;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, 'api_error', `mock failure: ${String(error)}`);
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  trackMockServer(server, stats);

  function sendError(response: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
    const requestId = `req_mock_${sequence}`;
    sendJson(response, status, anthropicErrorBody(type, message, requestId), { 'request-id': requestId, ...headers });
  }

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
    const info: AnthropicMockRequest = { method: request.method ?? 'GET', path, query: url.searchParams, headers: request.headers, body };
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
    if (settings.apiKey !== undefined && !hasKey(request, settings.apiKey)) {
      return sendError(response, 401, 'authentication_error', 'invalid x-api-key');
    }
    if (request.headers['anthropic-version'] === undefined) {
      return sendError(response, 400, 'invalid_request_error', 'anthropic-version: header is required');
    }
    if (bodyError !== undefined) {
      return sendError(response, 400, 'invalid_request_error', `The request body is not valid JSON: ${bodyError}`);
    }
    if ((settings.errorRate ?? 0) > 0 && random() < settings.errorRate!) {
      return sendError(response, 529, 'overloaded_error', 'Overloaded');
    }
    await route(info, mode, response);
  }

  async function route(request: AnthropicMockRequest, mode: AnthropicMockMode, response: ServerResponse): Promise<void> {
    const { method, path, query } = request;
    if (method === 'POST' && path === '/v1/messages') return messages(request.body, mode, response);
    if (mode !== 'normal') return misbehave(mode, false, response);
    const models = settings.models ?? DEFAULT_MODELS;
    if (method === 'GET' && path === '/v1/models') return sendJson(response, 200, modelPage(models, query));
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (models.includes(id)) return sendJson(response, 200, modelInfo(id));
      return sendError(response, 404, 'not_found_error', `model: ${id}`);
    }
    sendError(response, 404, 'not_found_error', `Not found: ${method} ${path}`);
  }

  async function messages(body: unknown, mode: AnthropicMockMode, response: ServerResponse): Promise<void> {
    const problem = checkMessagesRequest(body);
    if (problem !== undefined) return sendError(response, 400, 'invalid_request_error', problem);
    const valid = body as MockMessagesRequest;
    if (mode !== 'normal') return misbehave(mode, valid.stream === true, response);
    const id = `msg_mock_${String(sequence).padStart(6, '0')}`;
    const reply = decideMessageReply(valid, settings.reply, sequence);
    const headers = { 'request-id': `req_mock_${sequence}` };
    if (valid.stream !== true) return sendJson(response, 200, messageResponse(valid, reply, id), headers);
    await stream(valid, reply, id, response, headers);
  }

  async function stream(
    request: MockMessagesRequest,
    reply: MockMessageReply,
    id: string,
    response: ServerResponse,
    headers: Record<string, string>,
  ): Promise<void> {
    startEventStream(response, headers);
    const events = createEventWriter(request, reply, id);
    const delay = settings.streamChunkDelayMs ?? 0;
    const send = async (event: string): Promise<boolean> => (await pause(delay, response)) && writeChunk(response, event, stats);

    for (const event of [events.messageStart(), events.blockStart(), events.ping()]) if (!(await send(event))) return;
    if (reply.kind === 'tool') {
      const json = JSON.stringify(reply.input);
      if (!(await send(events.jsonDelta('')))) return;
      for (let start = 0; start < json.length; start += TOOL_INPUT_DELTA_SIZE) {
        if (!(await send(events.jsonDelta(json.slice(start, start + TOOL_INPUT_DELTA_SIZE))))) return;
      }
    } else {
      const huge = settings.hugeStreamBytes;
      if (huge !== undefined && huge > 0) {
        const block = 'abcdefghijklmnopqrstuvwxyz012345'.repeat(HUGE_DELTA_SIZE / 32);
        for (let sent = 0; sent < huge; sent += HUGE_DELTA_SIZE) {
          if (!(await send(events.textDelta(block.slice(0, Math.min(HUGE_DELTA_SIZE, huge - sent)))))) return;
        }
      } else {
        for (const piece of splitIntoDeltas(reply.text)) if (!(await send(events.textDelta(piece)))) return;
      }
    }
    for (const event of [events.blockStop(), events.messageDelta(), events.messageStop()]) if (!(await send(event))) return;
    response.end();
  }

  /** hang-body and malformed modes (hang-headers is handled before routing). */
  async function misbehave(mode: AnthropicMockMode, streaming: boolean, response: ServerResponse): Promise<void> {
    if (mode === 'malformed-json' || (mode === 'malformed-sse' && !streaming)) {
      return sendJson(response, 200, '{"id":"msg_broken","type":"message","content":[{"type":"text","text":"Hel');
    }
    if (mode === 'malformed-sse') {
      startEventStream(response);
      await writeChunk(response, anthropicEvent({ type: 'ping' }), stats);
      await writeChunk(response, 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel\n\n', stats);
      await writeChunk(response, anthropicEvent({ type: 'message_stop' }), stats);
      response.end();
      return;
    }
    // hang-body: headers and the start of a body, then silence until the client leaves.
    if (streaming) {
      startEventStream(response);
      await writeChunk(response, anthropicEvent({ type: 'ping' }), stats);
    } else {
      response.writeHead(200, { 'content-type': 'application/json' });
      await writeChunk(response, '{"id":"msg_stalled",', stats);
    }
  }

  function startEventStream(response: ServerResponse, headers: Record<string, string> = {}): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...headers,
    });
    response.flushHeaders();
  }

  function globalMode(): AnthropicMockMode {
    if (settings.hang) return settings.hang === 'headers' ? 'hang-headers' : 'hang-body';
    if (settings.malformed) return settings.malformed === 'json' ? 'malformed-json' : 'malformed-sse';
    return 'normal';
  }

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  return {
    url: `http://${host}:${port}`,
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

/** Anthropic takes the key as `x-api-key` (the classic header) or as a bearer token (what SDK v1 sends). */
function hasKey(request: IncomingMessage, apiKey: string): boolean {
  return request.headers['x-api-key'] === apiKey || request.headers.authorization === `Bearer ${apiKey}`;
}

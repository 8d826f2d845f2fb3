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
  OLLAMA_MOCK_MODELS,
  chatDoneLine,
  chatLine,
  chatResponse,
  decideOllamaReply,
  embedResponse,
  ollamaErrorBody,
  ollamaTagged,
  replyMessage,
  tagList,
  type MockOllamaReply,
  type MockOllamaRequest,
} from './ollama-wire.js';
import { splitIntoDeltas } from './openai-wire.js';

/** A special behaviour for a request: stall before headers, stall mid-body, or send broken JSON / NDJSON. */
export type OllamaMockMode = 'normal' | 'hang-headers' | 'hang-body' | 'malformed-json' | 'malformed-ndjson';

/** A scripted answer to one request: a raw reply (`status`, `headers`, `body`) or a `mode`. */
export interface OllamaMockScript {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  mode?: OllamaMockMode;
}

/** A request as the `onRequest` hook sees it. */
export interface OllamaMockRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined (GET, or unparsable). */
  body: unknown;
}

/** Options of the Ollama mock server; all optional. */
export interface OllamaMockServerOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Fixed reply text. Default: an echo of the last user message. */
  reply?: string;
  /** Delay before answering any request. Default 0. */
  latencyMs?: number;
  /** Delay between stream lines. Default 0. */
  streamChunkDelayMs?: number;
  /** Probability (0..1) of a 500, drawn from a seeded source. Default 0. */
  errorRate?: number;
  /** Seed of the error-rate draws. Default 1. */
  seed?: number;
  /** Ollama has no keys; when set, requests need `Authorization: Bearer <apiKey>` as behind an authenticating proxy (else 401). */
  apiKey?: string;
  /** Models listed by GET /api/tags (untagged names get `:latest`). */
  models?: string[];
  /** Answer chat and embed calls for models not in `models` with 404 "not found, try pulling it first", as Ollama does. Default false. */
  strictModels?: boolean;
  /** Embedding size when the request gives no `dimensions`. Default 8. */
  embeddingDimensions?: number;
  /** When set, streamed replies carry this many bytes of content instead of the reply. */
  hugeStreamBytes?: number;
  /** Stall every request: before headers, or after headers with the body unfinished. */
  hang?: 'headers' | 'body';
  /** Answer every request with broken JSON (`json`) or a broken NDJSON line (`ndjson`). */
  malformed?: 'json' | 'ndjson';
  /** Answers used, one per request and in order, before normal behaviour resumes. */
  script?: OllamaMockScript[];
  /** Called for each request; a returned script answers it (after the queue is empty). */
  onRequest?: (request: OllamaMockRequest) => OllamaMockScript | undefined | Promise<OllamaMockScript | undefined>;
}

/** A running Ollama mock server. */
export interface OllamaMockServer {
  /** The server root (Ollama's paths start with `/api`), e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** Live counters (updated in place). */
  stats: MockServerStats;
  /** The last request received, for asserting what a client sent. */
  lastRequest(): OllamaMockRequest | undefined;
  /** Queues more scripted answers. */
  enqueue(...scripts: OllamaMockScript[]): void;
  /** Changes options of the running server (port and host excepted). */
  configure(options: Omit<OllamaMockServerOptions, 'port' | 'host'>): void;
  /** Zeroes the counters and empties the script queue. */
  reset(): void;
  /** Cuts all connections and stops listening. */
  close(): Promise<void>;
}

const HUGE_DELTA_SIZE = 16 * 1024;
const NDJSON = 'application/x-ndjson';

/**
 * Starts a real HTTP server on 127.0.0.1 speaking Ollama's native API: POST
 * /api/chat (NDJSON lines ending in a `done: true` line with counts, the
 * default, or one JSON answer with `stream: false`), GET /api/tags, POST
 * /api/embed (deterministic vectors), GET /api/version. Used by tests,
 * benchmarks and `switchyard mock-upstream --flavor ollama`.
 */
export async function startOllamaMockServer(options: OllamaMockServerOptions = {}): Promise<OllamaMockServer> {
  let settings: OllamaMockServerOptions = { ...options };
  const queue: OllamaMockScript[] = [...(options.script ?? [])];
  const stats = createMockServerStats();
  let random = createSeededRandom(settings.seed ?? 1);
  let last: OllamaMockRequest | undefined;
  const models = (): string[] => settings.models ?? OLLAMA_MOCK_MODELS;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, ollamaErrorBody(`mock failure: ${String(error)}`));
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
    const info: OllamaMockRequest = { method: request.method ?? 'GET', path, headers: request.headers, body };
    last = info;

    if (!(await pause(settings.latencyMs ?? 0, response))) return;
    const script = queue.shift() ?? (await settings.onRequest?.(info));
    const mode = script?.mode ?? globalMode();
    if (script && script.mode === undefined) {
      sendJson(response, script.status ?? 200, script.body ?? '', script.headers);
      return;
    }
    if (mode === 'hang-headers') return; // the request stays open until the client gives up
    if (settings.apiKey !== undefined && request.headers.authorization !== `Bearer ${settings.apiKey}`) {
      sendJson(response, 401, ollamaErrorBody('unauthorized'));
      return;
    }
    if (bodyError !== undefined) {
      sendJson(response, 400, ollamaErrorBody(`invalid request body: ${bodyError}`));
      return;
    }
    if ((settings.errorRate ?? 0) > 0 && random() < settings.errorRate!) {
      sendJson(response, 500, ollamaErrorBody('llama runner process has terminated: exit status 2'));
      return;
    }
    await route(info, mode, response);
  }

  async function route(request: OllamaMockRequest, mode: OllamaMockMode, response: ServerResponse): Promise<void> {
    const { method, path } = request;
    if (method === 'POST' && path === '/api/chat') return chat(request.body, mode, response);
    if (mode !== 'normal') return misbehave(mode, false, response);
    if (method === 'GET' && path === '/api/tags') return sendJson(response, 200, tagList(models()));
    if (method === 'POST' && path === '/api/embed') return embed(request.body, response);
    if (method === 'GET' && path === '/api/version') return sendJson(response, 200, { version: '0.12.6' });
    if ((method === 'GET' || method === 'HEAD') && path === '') {
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Ollama is running');
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('404 page not found');
  }

  /** The 404 Ollama gives for a model that is not pulled, when `strictModels` is on. */
  function unknownModel(model: string, response: ServerResponse): boolean {
    if (!settings.strictModels) return false;
    const known = models().map(ollamaTagged);
    if (known.includes(ollamaTagged(model))) return false;
    sendJson(response, 404, ollamaErrorBody(`model "${model}" not found, try pulling it first`));
    return true;
  }

  async function chat(body: unknown, mode: OllamaMockMode, response: ServerResponse): Promise<void> {
    const chatRequest = body as Partial<MockOllamaRequest> | undefined;
    if (typeof chatRequest?.model !== 'string' || chatRequest.model === '') {
      return sendJson(response, 400, ollamaErrorBody('model is required'));
    }
    if (chatRequest.messages !== undefined && !Array.isArray(chatRequest.messages)) {
      return sendJson(response, 400, ollamaErrorBody('json: cannot unmarshal object into Go struct field ChatRequest.messages of type []api.Message'));
    }
    if (unknownModel(chatRequest.model, response)) return;
    const valid = { ...chatRequest, messages: chatRequest.messages ?? [] } as MockOllamaRequest;
    const streaming = valid.stream !== false; // Ollama streams unless told not to
    if (mode !== 'normal') return misbehave(mode, streaming, response);
    const reply = decideOllamaReply(valid, settings.reply);
    if (!streaming) return sendJson(response, 200, chatResponse(valid, reply));
    await stream(valid, reply, response);
  }

  async function stream(request: MockOllamaRequest, reply: MockOllamaReply, response: ServerResponse): Promise<void> {
    response.writeHead(200, { 'content-type': NDJSON });
    response.flushHeaders();
    const delay = settings.streamChunkDelayMs ?? 0;
    const send = async (line: string): Promise<boolean> => (await pause(delay, response)) && writeChunk(response, line, stats);

    if (reply.kind === 'tool') {
      if (!(await send(chatLine(request.model, replyMessage(reply))))) return;
    } else {
      const huge = settings.hugeStreamBytes;
      if (huge !== undefined && huge > 0) {
        const block = 'abcdefghijklmnopqrstuvwxyz012345'.repeat(HUGE_DELTA_SIZE / 32);
        for (let sent = 0; sent < huge; sent += HUGE_DELTA_SIZE) {
          const piece = block.slice(0, Math.min(HUGE_DELTA_SIZE, huge - sent));
          if (!(await send(chatLine(request.model, { role: 'assistant', content: piece })))) return;
        }
      } else {
        for (const piece of splitIntoDeltas(reply.text)) {
          if (!(await send(chatLine(request.model, { role: 'assistant', content: piece })))) return;
        }
      }
    }
    if (!(await send(chatDoneLine(request, reply)))) return;
    response.end();
  }

  async function embed(body: unknown, response: ServerResponse): Promise<void> {
    const request = body as { model?: unknown; input?: unknown; dimensions?: unknown } | undefined;
    if (typeof request?.model !== 'string' || request.model === '') return sendJson(response, 400, ollamaErrorBody('model is required'));
    if (unknownModel(request.model, response)) return;
    const inputs = typeof request.input === 'string' ? [request.input] : request.input;
    if (!Array.isArray(inputs) || inputs.length === 0 || inputs.some((input) => typeof input !== 'string')) {
      return sendJson(response, 400, ollamaErrorBody('invalid input type'));
    }
    const dimensions = typeof request.dimensions === 'number' ? request.dimensions : settings.embeddingDimensions ?? 8;
    sendJson(response, 200, embedResponse(request.model, inputs as string[], dimensions));
  }

  /** hang-body and malformed modes (hang-headers is handled before routing). */
  async function misbehave(mode: OllamaMockMode, streaming: boolean, response: ServerResponse): Promise<void> {
    if (mode === 'malformed-json' || (mode === 'malformed-ndjson' && !streaming)) {
      return sendJson(response, 200, '{"model":"llama3.2","message":{"role":"assistant","content":"Hel');
    }
    if (mode === 'malformed-ndjson') {
      response.writeHead(200, { 'content-type': NDJSON });
      await writeChunk(response, '{"model":"llama3.2","message":{"role":"assistant","content":"Hel\n', stats);
      response.end();
      return;
    }
    // hang-body: headers and the start of a body, then silence until the client leaves.
    response.writeHead(200, { 'content-type': streaming ? NDJSON : 'application/json; charset=utf-8' });
    await writeChunk(response, streaming ? chatLine('llama3.2', { role: 'assistant', content: '' }) : '{"model":', stats);
  }

  function globalMode(): OllamaMockMode {
    if (settings.hang) return settings.hang === 'headers' ? 'hang-headers' : 'hang-body';
    if (settings.malformed) return settings.malformed === 'json' ? 'malformed-json' : 'malformed-ndjson';
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

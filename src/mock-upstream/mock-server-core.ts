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

/*
 * The machinery every fake provider server shares: options that can change
 * while running, the script queue and `onRequest` hook, injected latency,
 * seeded error rate, hang and malformed modes, request reading, and the
 * returned handle. A flavor (openai-server.ts, ...) supplies only what its
 * wire format decides: routes, payloads, error bodies and stream framing.
 */

/** A special behaviour for a request: stall before headers, stall mid-body, or send a broken body of kind `Malformed`. */
export type MockMode<Malformed extends string> = 'normal' | 'hang-headers' | 'hang-body' | `malformed-${Malformed}`;

/** A scripted answer to one request: a raw reply (`status`, `headers`, `body`) or a `mode`. */
export interface MockScript<Mode extends string> {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  mode?: Mode;
}

/** A request as the `onRequest` hook sees it. */
export interface MockRequest {
  method: string;
  /** The path without the query or trailing slashes. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined (GET, unparsable, or multipart). */
  body: unknown;
  /** The body as text, for multipart uploads (the JSON body is parsed into `body` instead). */
  text?: string;
}

/** Options every mock server has; all optional. A flavor adds its own and documents its error bodies. */
export interface MockServerOptions<Request extends MockRequest, Malformed extends string> {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Fixed reply text. Default: an echo of the last user message. */
  reply?: string;
  /** Delay before answering any request. Default 0. */
  latencyMs?: number;
  /** Time from a batch's creation to its completion, for flavors with a batch API. Default 1000. */
  batchDelayMs?: number;
  /** Delay between stream chunks. Default 0. */
  streamChunkDelayMs?: number;
  /** Probability (0..1) of an injected server error, drawn from a seeded source. Default 0. */
  errorRate?: number;
  /** Seed of the error-rate draws. Default 1. */
  seed?: number;
  /** When set, requests must carry this key (else the flavor's authentication error). */
  apiKey?: string;
  /** Models the server lists. Default: the flavor's own list. */
  models?: string[];
  /** When set, streamed text replies carry this many bytes of content instead of the reply text. */
  hugeStreamBytes?: number;
  /** Stall every request: before headers, or after headers with the body unfinished. */
  hang?: 'headers' | 'body';
  /** Answer every request with a broken body of this kind (`json`, or the flavor's stream format). */
  malformed?: Malformed;
  /** Answers used, one per request and in order, before normal behaviour resumes. */
  script?: Array<MockScript<MockMode<Malformed>>>;
  /** Called for each request; a returned script answers it (after the queue is empty). */
  onRequest?: (
    request: Request,
  ) => MockScript<MockMode<Malformed>> | undefined | Promise<MockScript<MockMode<Malformed>> | undefined>;
}

/** A running mock server. */
export interface MockServer<Options, Script, Request> {
  /** The base URL a client is configured with. */
  url: string;
  port: number;
  /** Live counters (updated in place). */
  stats: MockServerStats;
  /** The last request received, for asserting what a client sent. */
  lastRequest(): Request | undefined;
  /** Queues more scripted answers. */
  enqueue(...scripts: Script[]): void;
  /** Changes options of the running server (port and host excepted). */
  configure(options: Omit<Options, 'port' | 'host'>): void;
  /** Zeroes the counters and empties the script queue. */
  reset(): void;
  /** Cuts all connections and stops listening. */
  close(): Promise<void>;
}

/** What a flavor's handlers can read of the running server. */
export interface MockServerContext<Options> {
  /** The current options (`configure` replaces them). */
  settings(): Options;
  /** Requests received so far, this one included: a per-request counter for ids. */
  sequence(): number;
  /** The server's live counters. */
  stats: MockServerStats;
  /**
   * A writer for one streamed reply: each chunk waits `streamChunkDelayMs`
   * (read now), then is written with backpressure. Resolves false once the
   * client has gone, so the caller stops.
   */
  createChunkSender(response: ServerResponse): (chunk: string) => Promise<boolean>;
}

/** The wire-specific half of a mock server. Checks that answer return false after sending the rejection. */
export interface MockFlavor<Request extends MockRequest, Mode extends string> {
  /** Appended to `http://host:port` to form `url` (`/v1`, `/v1beta`, or empty). */
  basePath: string;
  /** Adds flavor fields (such as the query) to the request the hook sees. Default: the request as read. */
  describe?(request: MockRequest, url: URL): Request;
  /** Answers a failure of the mock itself (`message` names it) while headers are unsent. */
  sendFailure(response: ServerResponse, message: string): void;
  /** Checks the key when `apiKey` is set. */
  checkApiKey(request: Request, apiKey: string, response: ServerResponse): boolean;
  /** Further checks of every request after the key (e.g. a required version header). */
  checkRequest?(request: Request, response: ServerResponse): boolean;
  /** Answers a body that is not valid JSON; `reason` is the parser's message. */
  sendInvalidJson(response: ServerResponse, reason: string): void;
  /** Answers a request picked by `errorRate`. */
  sendInjectedError(response: ServerResponse): void;
  /** Answers a request that passed every check, in `mode` (never `hang-headers`). */
  route(request: Request, mode: Mode, response: ServerResponse): Promise<void>;
}

/** A raw reply of a misbehaving request: 200 with these headers, then these chunks. */
export interface MockRawReply {
  headers: Record<string, string>;
  chunks: string[];
}

/** A wire format's broken and stalled bodies, for the `hang-body` and `malformed-*` modes. */
export interface MockMisbehaviour {
  /** The body of `malformed-json`, also sent when a malformed stream is asked of a call that does not stream. */
  brokenJson: string;
  /** A malformed stream: written, then ended. */
  brokenStream: MockRawReply;
  /** `hang-body` on a streaming call: written, then silence until the client leaves. */
  stalledStream: MockRawReply;
  /** `hang-body` on any other call. */
  stalledJson: MockRawReply;
}

/**
 * Answers a request in `hang-body` or a `malformed-*` mode (`hang-headers`
 * never gets this far) with the flavor's bodies; `streaming` tells whether the
 * call asked for the flavor's stream format.
 */
export async function sendMisbehaviour(
  response: ServerResponse,
  mode: string,
  streaming: boolean,
  misbehaviour: MockMisbehaviour,
  stats: MockServerStats,
): Promise<void> {
  const write = async (reply: MockRawReply): Promise<void> => {
    response.writeHead(200, reply.headers);
    for (const chunk of reply.chunks) await writeChunk(response, chunk, stats);
  };
  if (mode === 'hang-body') return write(streaming ? misbehaviour.stalledStream : misbehaviour.stalledJson);
  if (mode === 'malformed-json' || !streaming) return sendJson(response, 200, misbehaviour.brokenJson);
  await write(misbehaviour.brokenStream);
  response.end();
}

/**
 * Starts a real HTTP server on `host:port` (default 127.0.0.1, a free port)
 * whose wire format is the flavor's. Each request is read and parsed, then
 * (after `latencyMs`) answered by the next script, the `onRequest` hook's
 * script, or: a hang, the key check, the flavor's checks, a JSON error, an
 * injected error, and finally the flavor's routes.
 */
export async function startMockServer<
  Options extends MockServerOptions<Request, Malformed>,
  Request extends MockRequest,
  Malformed extends string,
>(
  options: Options,
  createFlavor: (context: MockServerContext<Options>) => MockFlavor<Request, MockMode<Malformed>>,
): Promise<MockServer<Options, MockScript<MockMode<Malformed>>, Request>> {
  type Mode = MockMode<Malformed>;
  let settings: Options = { ...options };
  const queue: Array<MockScript<Mode>> = [...(options.script ?? [])];
  const stats = createMockServerStats();
  let random = createSeededRandom(settings.seed ?? 1);
  let sequence = 0;
  let last: Request | undefined;

  const flavor = createFlavor({
    settings: () => settings,
    sequence: () => sequence,
    stats,
    createChunkSender(response) {
      const delay = settings.streamChunkDelayMs ?? 0;
      return async (chunk) => (await pause(delay, response)) && writeChunk(response, chunk, stats);
    },
  });

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) flavor.sendFailure(response, `mock failure: ${String(error)}`);
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
    const multipart = /^multipart\/form-data/i.test(request.headers['content-type'] ?? '');
    if (text.length > 0 && !multipart) {
      try {
        body = parseJson(text, 'mock request body');
      } catch (error) {
        bodyError = (error as Error).message;
      }
    }
    const read: MockRequest = { method: request.method ?? 'GET', path, headers: request.headers, body, ...(multipart ? { text } : {}) };
    const info = flavor.describe ? flavor.describe(read, url) : (read as Request);
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
    if (settings.apiKey !== undefined && !flavor.checkApiKey(info, settings.apiKey, response)) return;
    if (flavor.checkRequest !== undefined && !flavor.checkRequest(info, response)) return;
    if (bodyError !== undefined) return flavor.sendInvalidJson(response, bodyError);
    if ((settings.errorRate ?? 0) > 0 && random() < settings.errorRate!) return flavor.sendInjectedError(response);
    await flavor.route(info, mode, response);
  }

  function globalMode(): Mode {
    if (settings.hang) return settings.hang === 'headers' ? 'hang-headers' : 'hang-body';
    if (settings.malformed) return `malformed-${settings.malformed}`;
    return 'normal';
  }

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  return {
    url: `http://${host}:${port}${flavor.basePath}`,
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

import type { ServerResponse } from 'node:http';
import { sendJson } from './mock-http.js';
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
  thinkingFor,
  type MockOllamaReply,
  type MockOllamaRequest,
} from './ollama-wire.js';

/** A special behaviour for a request: stall before headers, stall mid-body, or send broken JSON / NDJSON. */
export type OllamaMockMode = MockMode<'json' | 'ndjson'>;

/** A scripted answer to one request: a raw reply (`status`, `headers`, `body`) or a `mode`. */
export type OllamaMockScript = MockScript<OllamaMockMode>;

/** A request as the `onRequest` hook sees it. */
export type OllamaMockRequest = MockRequest;

/** Options of the Ollama mock server; all optional. */
export interface OllamaMockServerOptions extends MockServerOptions<OllamaMockRequest, 'json' | 'ndjson'> {
  /** Delay between stream lines. Default 0. */
  streamChunkDelayMs?: number;
  /** Probability (0..1) of a 500, drawn from a seeded source. Default 0. */
  errorRate?: number;
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
  /** Answer every request with broken JSON (`json`) or a broken NDJSON line (`ndjson`). */
  malformed?: 'json' | 'ndjson';
}

/** A running Ollama mock server. */
export interface OllamaMockServer extends MockServer<OllamaMockServerOptions, OllamaMockScript, OllamaMockRequest> {
  /** The server root (Ollama's paths start with `/api`), e.g. `http://127.0.0.1:41234`. */
  url: string;
}

const NDJSON = 'application/x-ndjson';

/** Broken and stalled bodies of the hang-body and malformed modes. */
const MISBEHAVIOUR: MockMisbehaviour = {
  brokenJson: '{"model":"llama3.2","message":{"role":"assistant","content":"Hel',
  brokenStream: { headers: { 'content-type': NDJSON }, chunks: ['{"model":"llama3.2","message":{"role":"assistant","content":"Hel\n'] },
  stalledStream: { headers: { 'content-type': NDJSON }, chunks: [chatLine('llama3.2', { role: 'assistant', content: '' })] },
  stalledJson: { headers: { 'content-type': 'application/json; charset=utf-8' }, chunks: ['{"model":'] },
};

/**
 * Starts a real HTTP server on 127.0.0.1 speaking Ollama's native API: POST
 * /api/chat (NDJSON lines ending in a `done: true` line with counts, the
 * default, or one JSON answer with `stream: false`), GET /api/tags, POST
 * /api/embed (deterministic vectors), GET /api/version. Used by tests,
 * benchmarks and `switchyard mock-upstream --flavor ollama`.
 */
export async function startOllamaMockServer(options: OllamaMockServerOptions = {}): Promise<OllamaMockServer> {
  return startMockServer(options, ({ settings, stats, createChunkSender }) => {
    const misbehave = (mode: OllamaMockMode, streaming: boolean, response: ServerResponse): Promise<void> =>
      sendMisbehaviour(response, mode, streaming, MISBEHAVIOUR, stats);

    const models = (): string[] => settings().models ?? OLLAMA_MOCK_MODELS;

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
      if (!settings().strictModels) return false;
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
      const reply = decideOllamaReply(valid, settings().reply);
      if (!streaming) return sendJson(response, 200, chatResponse(valid, reply));
      await stream(valid, reply, response);
    }

    async function stream(request: MockOllamaRequest, reply: MockOllamaReply, response: ServerResponse): Promise<void> {
      response.writeHead(200, { 'content-type': NDJSON });
      response.flushHeaders();
      const send = createChunkSender(response);
      // Thinking streams first, word by word, with empty content (as Ollama sends it).
      const thinking = thinkingFor(request, reply);
      for (const piece of thinking === undefined ? [] : streamTextPieces(thinking, undefined)) {
        if (!(await send(chatLine(request.model, { role: 'assistant', content: '', thinking: piece })))) return;
      }

      if (reply.kind === 'tool') {
        if (!(await send(chatLine(request.model, replyMessage(reply))))) return;
      } else {
        for (const piece of streamTextPieces(reply.text, settings().hugeStreamBytes)) {
          if (!(await send(chatLine(request.model, { role: 'assistant', content: piece })))) return;
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
      const dimensions = typeof request.dimensions === 'number' ? request.dimensions : settings().embeddingDimensions ?? 8;
      sendJson(response, 200, embedResponse(request.model, inputs as string[], dimensions));
    }

    return {
      basePath: '',
      sendFailure: (response, message) => sendJson(response, 500, ollamaErrorBody(message)),
      checkApiKey(request, apiKey, response) {
        if (request.headers.authorization === `Bearer ${apiKey}`) return true;
        sendJson(response, 401, ollamaErrorBody('unauthorized'));
        return false;
      },
      sendInvalidJson: (response, reason) => sendJson(response, 400, ollamaErrorBody(`invalid request body: ${reason}`)),
      sendInjectedError: (response) => sendJson(response, 500, ollamaErrorBody('llama runner process has terminated: exit status 2')),
      route,
    };
  });
}

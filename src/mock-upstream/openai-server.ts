import type { ServerResponse } from 'node:http';
import { EVENT_STREAM_HEADERS, sendJson, startEventStream } from './mock-http.js';
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
import { sliceEvery, streamTextPieces } from './mock-wire.js';
import { createOpenAIBatchRoutes } from './openai-batch-routes.js';
import { createMockResponsesRoutes } from './openai-responses-server.js';
import {
  chatCompletion,
  choiceCount,
  createChunkWriter,
  limitReply,
  decideReply,
  embeddingList,
  errorBody,
  modelList,
  type MockChatRequest,
  type MockReply,
} from './openai-wire.js';

/** A special behaviour for a request: stall before headers, stall mid-body, or send broken JSON / SSE. */
export type OpenAIMockMode = MockMode<'json' | 'sse'>;

/** A scripted answer to one request: a raw reply (`status`, `headers`, `body`) or a `mode`. */
export type OpenAIMockScript = MockScript<OpenAIMockMode>;

/** A request as the `onRequest` hook sees it. */
export type OpenAIMockRequest = MockRequest;

/** Options of the OpenAI mock server; all optional. */
export interface OpenAIMockServerOptions extends MockServerOptions<OpenAIMockRequest, 'json' | 'sse'> {
  /** Probability (0..1) of a 500 `server_error`, drawn from a seeded source. Default 0. */
  errorRate?: number;
  /** When set, requests need `Authorization: Bearer <apiKey>` (else 401 invalid_api_key). */
  apiKey?: string;
  /** Models listed by GET /v1/models. */
  models?: string[];
  /** Embedding size when the request gives no `dimensions`. Default 8. */
  embeddingDimensions?: number;
}

/** A running OpenAI mock server. */
export interface OpenAIMockServer extends MockServer<OpenAIMockServerOptions, OpenAIMockScript, OpenAIMockRequest> {
  /** Base URL ending in `/v1`, e.g. `http://127.0.0.1:41234/v1`. */
  url: string;
}

const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'o4-mini', 'text-embedding-3-small'];
const TOOL_ARGUMENTS_DELTA_SIZE = 8;

/** Broken and stalled bodies of the hang-body and malformed modes. */
const MISBEHAVIOUR: MockMisbehaviour = {
  brokenJson: '{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,"message":{"content":"Hel',
  brokenStream: {
    headers: EVENT_STREAM_HEADERS,
    chunks: ['data: {"id":"chatcmpl-broken","choices":[{"index":0,"delta":{"content":"Hel\n\n', 'data: [DONE]\n\n'],
  },
  stalledStream: { headers: EVENT_STREAM_HEADERS, chunks: [': stalled\n\n'] },
  stalledJson: { headers: { 'content-type': 'application/json' }, chunks: ['{"id":"chatcmpl-stalled",'] },
};

/**
 * Starts a real HTTP server on 127.0.0.1 speaking OpenAI's wire format:
 * POST /v1/chat/completions (JSON, or SSE ending in `data: [DONE]` with a
 * usage chunk when `stream_options.include_usage`), POST /v1/responses
 * (JSON or the Responses event stream, with stored responses, GET and DELETE
 * /v1/responses/{id}), GET /v1/models, POST /v1/embeddings (deterministic
 * vectors), and the Files and Batch API (/v1/files, /v1/batches; a batch
 * completes `batchDelayMs` after creation). Used by tests, benchmarks and
 * `switchyard mock-upstream --flavor openai`.
 */
export async function startOpenAIMockServer(options: OpenAIMockServerOptions = {}): Promise<OpenAIMockServer> {
  return startMockServer(options, ({ settings, sequence, stats, createChunkSender }) => {
    const responses = createMockResponsesRoutes({ settings, sequence, createChunkSender });
    const misbehave = (mode: OpenAIMockMode, streaming: boolean, response: ServerResponse): Promise<void> =>
      sendMisbehaviour(response, mode, streaming, MISBEHAVIOUR, stats);
    const batchRoutes = createOpenAIBatchRoutes({ settings, sequence });

    async function route(request: OpenAIMockRequest, mode: OpenAIMockMode, response: ServerResponse): Promise<void> {
      const { method, path } = request;
      const models = settings().models ?? DEFAULT_MODELS;
      if (method === 'POST' && path === '/v1/chat/completions') return chat(request.body, mode, response);
      if (mode !== 'normal') return misbehave(mode, method === 'POST' && (request.body as { stream?: unknown } | undefined)?.stream === true, response);
      if (await responses.route(request, response)) return;
      if (batchRoutes(request, response)) return;
      if (method === 'GET' && path === '/v1/models') return sendJson(response, 200, modelList(models));
      if (method === 'GET' && path.startsWith('/v1/models/')) {
        const id = decodeURIComponent(path.slice('/v1/models/'.length));
        if (models.includes(id)) return sendJson(response, 200, modelList([id]).data[0]);
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
      const id = `chatcmpl-mock-${sequence()}`;
      const reply = decideReply(valid, settings().reply, sequence());
      if (valid.stream !== true) return sendJson(response, 200, chatCompletion(valid, reply, id));
      await stream(valid, reply, id, response);
    }

    async function stream(request: MockChatRequest, decided: MockReply, id: string, response: ServerResponse): Promise<void> {
      startEventStream(response);
      const chunks = createChunkWriter(request, id);
      const send = createChunkSender(response);
      const { reply, finishReason } = limitReply(request, decided);

      if (reply.kind === 'tool') {
        // Call after call, each whole before the next opens (as OpenAI streams parallel calls).
        for (const [index, call] of reply.calls.entries()) {
          if (!(await send(chunks.toolStart(call, index)))) return;
          for (const piece of sliceEvery(call.arguments, TOOL_ARGUMENTS_DELTA_SIZE)) if (!(await send(chunks.toolArguments(piece, index)))) return;
        }
        if (!(await send(chunks.finish(finishReason)))) return;
      } else {
        // Choice by choice, each complete (`n` > 1 repeats the reply under its own index).
        for (let choice = 0; choice < choiceCount(request); choice++) {
          if (!(await send(chunks.role(choice)))) return;
          for (const piece of streamTextPieces(reply.text, settings().hugeStreamBytes)) if (!(await send(chunks.content(piece, choice)))) return;
          if (!(await send(chunks.finish(finishReason, choice)))) return;
        }
      }
      const usage = chunks.usage(reply);
      if (usage !== undefined && !(await send(usage))) return;
      if (!(await send(chunks.done()))) return;
      response.end();
    }

    async function embeddings(body: unknown, response: ServerResponse): Promise<void> {
      const request = body as { model?: unknown; input?: unknown; dimensions?: unknown; encoding_format?: unknown } | undefined;
      if (typeof request?.model !== 'string') {
        return sendJson(response, 400, errorBody('you must provide a model parameter', 'invalid_request_error', null, 'model'));
      }
      // One string, or one array of token ids, is one input.
      const single = typeof request.input === 'string' || (Array.isArray(request.input) && request.input.length > 0 && request.input.every((item) => typeof item === 'number'));
      const inputs = single ? [request.input] : request.input;
      if (!Array.isArray(inputs) || inputs.length === 0) {
        return sendJson(response, 400, errorBody("'input' must be a non-empty string or array", 'invalid_request_error', null, 'input'));
      }
      const dimensions = typeof request.dimensions === 'number' ? request.dimensions : settings().embeddingDimensions ?? 8;
      const texts = inputs.map((input) => (typeof input === 'string' ? input : JSON.stringify(input)));
      sendJson(response, 200, embeddingList(request.model, texts, dimensions, request.encoding_format === 'base64' ? 'base64' : 'float'));
    }

    return {
      basePath: '/v1',
      sendFailure: (response, message) => sendJson(response, 500, errorBody(message, 'server_error')),
      checkApiKey(request, apiKey, response) {
        if (request.headers.authorization === `Bearer ${apiKey}`) return true;
        sendJson(response, 401, errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
        return false;
      },
      sendInvalidJson: (response, reason) =>
        sendJson(response, 400, errorBody(`We could not parse the JSON body of your request. (${reason})`, 'invalid_request_error')),
      sendInjectedError: (response) =>
        sendJson(response, 500, errorBody('The server had an error while processing your request. Sorry about that!', 'server_error')),
      route,
    };
  });
}



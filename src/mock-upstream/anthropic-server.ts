import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { EVENT_STREAM_HEADERS, sendJson, startEventStream } from './mock-http.js';
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
  messageUsage,
} from './anthropic-wire.js';
import {
  sendMisbehaviour,
  startMockServer,
  type MockMisbehaviour,
  type MockRequest,
  type MockServer,
  type MockServerOptions,
} from './mock-server-core.js';
import { sliceEvery, streamTextPieces } from './mock-wire.js';
import { createAnthropicBatchRoutes } from './anthropic-batch-routes.js';
import type { OpenAIMockMode, OpenAIMockScript } from './openai-server.js';

/** A special behaviour for a request: stall before headers, stall mid-body, or send broken JSON / SSE. */
export type AnthropicMockMode = OpenAIMockMode;

/** A scripted answer to one request: a raw reply (`status`, `headers`, `body`) or a `mode`. */
export type AnthropicMockScript = OpenAIMockScript;

/** A request as the `onRequest` hook sees it, with its query string (model-list cursors). */
export interface AnthropicMockRequest extends MockRequest {
  query: URLSearchParams;
}

/** Options of the Anthropic mock server; all optional (the same as the OpenAI mock's, embeddings aside). */
export interface AnthropicMockServerOptions extends MockServerOptions<AnthropicMockRequest, 'json' | 'sse'> {
  /** Delay between stream events. Default 0. */
  streamChunkDelayMs?: number;
  /** Probability (0..1) of a 529 `overloaded_error`, drawn from a seeded source. Default 0. */
  errorRate?: number;
  /** When set, requests need `x-api-key: <apiKey>` or `Authorization: Bearer <apiKey>` (else 401 authentication_error). */
  apiKey?: string;
  /** Models listed by GET /v1/models, newest first. */
  models?: string[];
}

/** A running Anthropic mock server. */
export interface AnthropicMockServer extends MockServer<AnthropicMockServerOptions, AnthropicMockScript, AnthropicMockRequest> {
  /** Base URL without `/v1`, as the Anthropic SDK and `ANTHROPIC_BASE_URL` expect, e.g. `http://127.0.0.1:41234`. */
  url: string;
}

const DEFAULT_MODELS = ['claude-opus-4-1', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-3-5-haiku-20241022'];
const TOOL_INPUT_DELTA_SIZE = 8;

/** Broken and stalled bodies of the hang-body and malformed modes. */
const MISBEHAVIOUR: MockMisbehaviour = {
  brokenJson: '{"id":"msg_broken","type":"message","content":[{"type":"text","text":"Hel',
  brokenStream: {
    headers: EVENT_STREAM_HEADERS,
    chunks: [
      anthropicEvent({ type: 'ping' }),
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel\n\n',
      anthropicEvent({ type: 'message_stop' }),
    ],
  },
  stalledStream: { headers: EVENT_STREAM_HEADERS, chunks: [anthropicEvent({ type: 'ping' })] },
  stalledJson: { headers: { 'content-type': 'application/json' }, chunks: ['{"id":"msg_stalled",'] },
};

/**
 * Starts a real HTTP server on 127.0.0.1 speaking Anthropic's wire format:
 * POST /v1/messages (a Message, or the SSE sequence message_start,
 * content_block_start, ping, content_block_delta..., content_block_stop,
 * message_delta, message_stop), GET /v1/models (cursor pages) and GET
 * /v1/models/{id}, POST /v1/messages/count_tokens, Message Batches
 * (/v1/messages/batches; a batch ends `batchDelayMs` after creation); errors as `{"type":"error","error":{type,message}}`.
 * Requests need `anthropic-version`, and the key when `apiKey` is set.
 * Used by tests, benchmarks and `switchyard mock-upstream --flavor anthropic`.
 */
export async function startAnthropicMockServer(options: AnthropicMockServerOptions = {}): Promise<AnthropicMockServer> {
  return startMockServer(options, ({ settings, sequence, stats, createChunkSender }) => {
    const misbehave = (mode: AnthropicMockMode, streaming: boolean, response: ServerResponse): Promise<void> =>
      sendMisbehaviour(response, mode, streaming, MISBEHAVIOUR, stats);
    const batchRoutes = createAnthropicBatchRoutes({ settings });

    function sendError(response: ServerResponse, status: number, type: string, message: string): void {
      const requestId = `req_mock_${sequence()}`;
      sendJson(response, status, anthropicErrorBody(type, message, requestId), { 'request-id': requestId });
    }

    async function route(request: AnthropicMockRequest, mode: AnthropicMockMode, response: ServerResponse): Promise<void> {
      const { method, path, query } = request;
      if (method === 'POST' && path === '/v1/messages') return messages(request.body, mode, response);
      if (method === 'POST' && path === '/v1/messages/count_tokens') return countTokens(request.body, response);
      if (mode !== 'normal') return misbehave(mode, false, response);
      if (batchRoutes(request, response)) return;
      const models = settings().models ?? DEFAULT_MODELS;
      if (method === 'GET' && path === '/v1/models') return sendJson(response, 200, modelPage(models, query));
      if (method === 'GET' && path.startsWith('/v1/models/')) {
        const id = decodeURIComponent(path.slice('/v1/models/'.length));
        if (models.includes(id)) return sendJson(response, 200, modelInfo(id));
        return sendError(response, 404, 'not_found_error', `model: ${id}`);
      }
      sendError(response, 404, 'not_found_error', `Not found: ${method} ${path}`);
    }

    /** POST /v1/messages/count_tokens: a Messages request without max_tokens; the input count of a reply to it. */
    function countTokens(body: unknown, response: ServerResponse): void {
      const request = { ...(body as object), max_tokens: 1 };
      const problem = checkMessagesRequest(request);
      if (problem !== undefined) return sendError(response, 400, 'invalid_request_error', problem);
      const valid = request as MockMessagesRequest;
      sendJson(response, 200, { input_tokens: messageUsage(valid, decideMessageReply(valid, undefined, 0)).input_tokens });
    }

    async function messages(body: unknown, mode: AnthropicMockMode, response: ServerResponse): Promise<void> {
      const problem = checkMessagesRequest(body);
      if (problem !== undefined) return sendError(response, 400, 'invalid_request_error', problem);
      const valid = body as MockMessagesRequest;
      if (mode !== 'normal') return misbehave(mode, valid.stream === true, response);
      const id = `msg_mock_${String(sequence()).padStart(6, '0')}`;
      const reply = decideMessageReply(valid, settings().reply, sequence());
      const headers = { 'request-id': `req_mock_${sequence()}` };
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
      const send = createChunkSender(response);

      for (const event of [events.messageStart(), events.blockStart(), events.ping()]) if (!(await send(event))) return;
      if (reply.kind === 'tool') {
        // Block after block: each tool_use opens, streams its input JSON and closes before the next.
        for (const [index, call] of reply.calls.entries()) {
          if (index > 0 && !(await send(events.blockStart(index)))) return;
          if (!(await send(events.jsonDelta('', index)))) return;
          for (const piece of sliceEvery(JSON.stringify(call.input), TOOL_INPUT_DELTA_SIZE)) if (!(await send(events.jsonDelta(piece, index)))) return;
          if (index < reply.calls.length - 1 && !(await send(events.blockStop(index)))) return;
        }
      } else {
        for (const piece of streamTextPieces(reply.text, settings().hugeStreamBytes)) if (!(await send(events.textDelta(piece)))) return;
      }
      const last = reply.kind === 'tool' ? reply.calls.length - 1 : 0;
      for (const event of [events.blockStop(last), events.messageDelta(), events.messageStop()]) if (!(await send(event))) return;
      response.end();
    }

    return {
      basePath: '',
      describe: (read, url) => ({ ...read, query: url.searchParams }),
      sendFailure: (response, message) => sendError(response, 500, 'api_error', message),
      checkApiKey(request, apiKey, response) {
        if (hasKey(request.headers, apiKey)) return true;
        sendError(response, 401, 'authentication_error', 'invalid x-api-key');
        return false;
      },
      checkRequest(request, response) {
        if (request.headers['anthropic-version'] !== undefined) return true;
        sendError(response, 400, 'invalid_request_error', 'anthropic-version: header is required');
        return false;
      },
      sendInvalidJson: (response, reason) => sendError(response, 400, 'invalid_request_error', `The request body is not valid JSON: ${reason}`),
      sendInjectedError: (response) => sendError(response, 529, 'overloaded_error', 'Overloaded'),
      route,
    };
  });
}

/** Anthropic takes the key as `x-api-key` (the classic header) or as a bearer token (what SDK v1 sends). */
function hasKey(headers: IncomingHttpHeaders, apiKey: string): boolean {
  return headers['x-api-key'] === apiKey || headers.authorization === `Bearer ${apiKey}`;
}

import type { ServerResponse } from 'node:http';
import { sendJson, startEventStream } from './mock-http.js';
import type { MockRequest } from './mock-server-core.js';
import { sliceEvery, streamTextPieces } from './mock-wire.js';
import {
  decideResponsesAnswer,
  responseObject,
  responsesEvents,
  responsesInputItems,
  type MockResponsesRequest,
} from './openai-responses-wire.js';
import { errorBody } from './openai-wire.js';

/** Stored responses kept by one mock server; the oldest go first beyond this. */
const STORED_LIMIT = 1_000;
const TOOL_ARGUMENTS_DELTA_SIZE = 8;

/** What the Responses routes read of the running mock server. */
export interface MockResponsesContext {
  settings(): { reply?: string; hugeStreamBytes?: number };
  sequence(): number;
  createChunkSender(response: ServerResponse): (chunk: string) => Promise<boolean>;
}

/**
 * The OpenAI mock's Responses API: POST /v1/responses (JSON, or the event
 * stream), GET and DELETE /v1/responses/{id}. Responses are stored in memory
 * unless `store: false`, so `previous_response_id` continues a conversation
 * as on OpenAI. `route` returns false for paths it does not serve.
 */
export function createMockResponsesRoutes(context: MockResponsesContext) {
  const stored = new Map<string, { items: Array<Record<string, unknown>>; response: ReturnType<typeof responseObject> }>();

  function remember(id: string, items: Array<Record<string, unknown>>, response: ReturnType<typeof responseObject>): void {
    stored.set(id, { items, response });
    if (stored.size > STORED_LIMIT) stored.delete(stored.keys().next().value!);
  }

  async function create(body: unknown, response: ServerResponse): Promise<void> {
    const request = body as Partial<MockResponsesRequest> | undefined;
    if (typeof request?.model !== 'string') {
      return sendJson(response, 400, errorBody('Missing required parameter: \'model\'.', 'invalid_request_error', 'missing_required_parameter', 'model'));
    }
    const valid = request as MockResponsesRequest;
    let history: Array<Record<string, unknown>> = [];
    if (valid.previous_response_id != null) {
      const previous = stored.get(valid.previous_response_id);
      if (!previous) {
        return sendJson(
          response,
          404,
          errorBody(`Previous response with id '${valid.previous_response_id}' not found.`, 'invalid_request_error', 'previous_response_not_found', 'previous_response_id'),
        );
      }
      history = [...previous.items, ...(previous.response.output as Array<Record<string, unknown>>)];
    }
    const items = [...history, ...responsesInputItems(valid.input)];
    if (items.length === 0) {
      return sendJson(response, 400, errorBody("Missing required parameter: 'input'.", 'invalid_request_error', 'missing_required_parameter', 'input'));
    }
    const sequence = context.sequence();
    const id = `resp_mock_${sequence}`;
    const answer = decideResponsesAnswer(valid, items, context.settings().reply, sequence);
    const finished = responseObject(valid, id, { answer, sequence });
    if (valid.store !== false) remember(id, items, finished);
    if (valid.stream !== true) return sendJson(response, 200, finished);

    startEventStream(response);
    const send = context.createChunkSender(response);
    const pieces = answer.reply.kind === 'tool' ? sliceEvery(answer.reply.calls[0].arguments, TOOL_ARGUMENTS_DELTA_SIZE) : streamTextPieces(answer.reply.text, context.settings().hugeStreamBytes);
    for (const event of responsesEvents(valid, id, answer, sequence, pieces)) if (!(await send(event))) return;
    response.end();
  }

  return {
    /** Answers a Responses request; false when the path is not one of these routes. */
    async route(request: MockRequest, response: ServerResponse): Promise<boolean> {
      const { method, path } = request;
      if (method === 'POST' && path === '/v1/responses') {
        await create(request.body, response);
        return true;
      }
      if (!path.startsWith('/v1/responses/') || (method !== 'GET' && method !== 'DELETE')) return false;
      const id = decodeURIComponent(path.slice('/v1/responses/'.length));
      const found = stored.get(id);
      if (!found) sendJson(response, 404, errorBody(`Response with id '${id}' not found.`, 'invalid_request_error', null, null));
      else if (method === 'GET') sendJson(response, 200, found.response);
      else {
        stored.delete(id);
        sendJson(response, 200, { id, object: 'response', deleted: true });
      }
      return true;
    },
  };
}

import type { ServerResponse } from 'node:http';
import { sendJson } from './mock-http.js';
import type { MockRequest } from './mock-server-core.js';
import { anthropicErrorBody, checkMessagesRequest, decideMessageReply, messageResponse, type MockMessagesRequest } from './anthropic-wire.js';

/*
 * Anthropic's Message Batches for the Anthropic mock: a batch is kept in
 * memory and ends `batchDelayMs` after its creation (every request then
 * answered by the mock's Messages logic; a request the Messages API would
 * refuse is an `errored` result).
 */

interface MockMessageBatch {
  id: string;
  type: 'message_batch';
  processing_status: 'in_progress' | 'canceling' | 'ended';
  request_counts: { processing: number; succeeded: number; errored: number; canceled: number; expired: number };
  ended_at: string | null;
  created_at: string;
  expires_at: string;
  archived_at: null;
  cancel_initiated_at: string | null;
  results_url: string | null;
}

/** What the routes read of the running server. */
export interface AnthropicBatchRouteContext {
  settings(): { reply?: string; batchDelayMs?: number };
}

const DEFAULT_BATCH_DELAY_MS = 1000;
const iso = (ms = Date.now()) => new Date(ms).toISOString();

/** Creates the routes; the returned handler answers and returns true for a Message Batches request, else false. */
export function createAnthropicBatchRoutes(context: AnthropicBatchRouteContext): (request: MockRequest, response: ServerResponse) => boolean {
  const batches = new Map<string, { batch: MockMessageBatch; requests: Array<{ custom_id: string; params: unknown }>; endsAt: number; results?: string }>();
  let counter = 0;

  function advance(entry: NonNullable<ReturnType<typeof batches.get>>, origin: string): MockMessageBatch {
    const { batch } = entry;
    if (batch.processing_status === 'ended') return batch;
    const canceling = batch.processing_status === 'canceling';
    if (!canceling && Date.now() < entry.endsAt) return batch;
    const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    const lines = entry.requests.map((request, index) => {
      if (canceling) {
        counts.canceled += 1;
        return { custom_id: request.custom_id, result: { type: 'canceled' } };
      }
      const problem = checkMessagesRequest(request.params);
      if (problem !== undefined) {
        counts.errored += 1;
        return { custom_id: request.custom_id, result: { type: 'errored', error: anthropicErrorBody('invalid_request_error', problem) } };
      }
      const params = request.params as MockMessagesRequest;
      counts.succeeded += 1;
      const id = `msg_mock_batch_${counter}_${index}`;
      return { custom_id: request.custom_id, result: { type: 'succeeded', message: messageResponse(params, decideMessageReply(params, context.settings().reply, index), id) } };
    });
    entry.results = `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
    Object.assign(batch, { processing_status: 'ended', request_counts: counts, ended_at: iso(), results_url: `${origin}/v1/messages/batches/${batch.id}/results` });
    return batch;
  }

  return (request, response) => {
    const { method, path } = request;
    const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
    if (method === 'POST' && path === '/v1/messages/batches') {
      const requests = (request.body as { requests?: unknown } | undefined)?.requests;
      if (!Array.isArray(requests) || requests.length === 0) {
        sendJson(response, 400, anthropicErrorBody('invalid_request_error', 'requests: at least one request is required'));
        return true;
      }
      const ids = new Set<string>();
      for (const [index, item] of requests.entries()) {
        const customId = (item as { custom_id?: unknown })?.custom_id;
        if (typeof customId !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(customId) || ids.has(customId)) {
          sendJson(response, 400, anthropicErrorBody('invalid_request_error', `requests.${index}.custom_id: must be a unique string of 1-64 letters, digits, '-' or '_'`));
          return true;
        }
        ids.add(customId);
      }
      counter += 1;
      const created = Date.now();
      const batch: MockMessageBatch = {
        id: `msgbatch_mock${String(counter).padStart(8, '0')}`,
        type: 'message_batch',
        processing_status: 'in_progress',
        request_counts: { processing: requests.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
        ended_at: null,
        created_at: iso(created),
        expires_at: iso(created + 86_400_000),
        archived_at: null,
        cancel_initiated_at: null,
        results_url: null,
      };
      batches.set(batch.id, { batch, requests: requests as Array<{ custom_id: string; params: unknown }>, endsAt: created + (context.settings().batchDelayMs ?? DEFAULT_BATCH_DELAY_MS) });
      sendJson(response, 200, batch);
      return true;
    }
    if (method === 'GET' && path === '/v1/messages/batches') {
      const data = [...batches.values()].reverse().map((entry) => advance(entry, origin));
      sendJson(response, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
      return true;
    }
    const match = /^\/v1\/messages\/batches\/([^/]+)(\/results|\/cancel)?$/.exec(path);
    if (!match) return false;
    const entry = batches.get(decodeURIComponent(match[1]));
    if (!entry) {
      sendJson(response, 404, anthropicErrorBody('not_found_error', `message batch ${match[1]} not found`));
      return true;
    }
    if (method === 'GET' && match[2] === undefined) sendJson(response, 200, advance(entry, origin));
    else if (method === 'GET' && match[2] === '/results') {
      advance(entry, origin);
      if (entry.results === undefined) sendJson(response, 400, anthropicErrorBody('invalid_request_error', 'the batch has not ended yet'));
      else {
        response.writeHead(200, { 'content-type': 'application/binary', 'content-length': Buffer.byteLength(entry.results) });
        response.end(entry.results);
      }
    } else if (method === 'POST' && match[2] === '/cancel') {
      if (entry.batch.processing_status === 'in_progress') Object.assign(entry.batch, { processing_status: 'canceling', cancel_initiated_at: iso() });
      sendJson(response, 200, entry.batch);
    } else if (method === 'DELETE' && match[2] === undefined) {
      batches.delete(entry.batch.id);
      sendJson(response, 200, { id: entry.batch.id, type: 'message_batch_deleted' });
    } else return false;
    return true;
  };
}

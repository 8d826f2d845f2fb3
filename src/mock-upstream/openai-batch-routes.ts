import type { ServerResponse } from 'node:http';
import { sendJson } from './mock-http.js';
import { parseMockMultipart } from './mock-multipart.js';
import type { MockRequest } from './mock-server-core.js';
import { chatCompletion, decideReply, errorBody, type MockChatRequest } from './openai-wire.js';

/*
 * OpenAI's Files and Batch API for the OpenAI mock: files are kept in memory,
 * and a batch completes `batchDelayMs` after its creation (the first poll
 * after that moment runs every line through the mock's chat completion and
 * writes the output and error files).
 */

interface MockFile {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: 'processed';
  content: string;
}

interface MockBatch {
  id: string;
  object: 'batch';
  endpoint: string;
  errors: null;
  input_file_id: string;
  completion_window: string;
  status: string;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: null;
  expired_at: null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
}

/** What the routes read of the running server. */
export interface OpenAIBatchRouteContext {
  settings(): { reply?: string; batchDelayMs?: number };
  sequence(): number;
}

const DEFAULT_BATCH_DELAY_MS = 1000;
const now = () => Math.floor(Date.now() / 1000);

/** Creates the routes; the returned handler answers and resolves true for a Files or Batch request, else false. */
export function createOpenAIBatchRoutes(context: OpenAIBatchRouteContext): (request: MockRequest, response: ServerResponse) => boolean {
  const files = new Map<string, MockFile>();
  const batches = new Map<string, MockBatch>();
  const completesAt = new Map<string, number>();
  let counter = 0;
  const nextId = (prefix: string) => `${prefix}-mock${(++counter).toString().padStart(8, '0')}`;

  function publicFile(file: MockFile) {
    const { content: _content, ...rest } = file;
    return rest;
  }

  function addFile(filename: string, purpose: string, content: string): MockFile {
    const file: MockFile = { id: nextId('file'), object: 'file', bytes: Buffer.byteLength(content), created_at: now(), filename, purpose, status: 'processed', content };
    files.set(file.id, file);
    return file;
  }

  /** Runs the input through the mock's chat completions once the delay is over. */
  function advance(batch: MockBatch): MockBatch {
    if (batch.status === 'cancelling') {
      Object.assign(batch, { status: 'cancelled', cancelled_at: now() });
      return batch;
    }
    if (batch.status !== 'in_progress' || Date.now() < (completesAt.get(batch.id) ?? 0)) return batch;
    const input = files.get(batch.input_file_id)?.content ?? '';
    const output: string[] = [];
    const errors: string[] = [];
    for (const text of input.split('\n')) {
      if (text.trim() === '') continue;
      const line = JSON.parse(text) as { custom_id: string; body: Partial<MockChatRequest> };
      const requestId = `req_mock_${context.sequence()}_${output.length + errors.length}`;
      const body = line.body;
      if (typeof body?.model !== 'string' || !Array.isArray(body.messages) || body.messages.length === 0) {
        const failure = errorBody("Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages');
        errors.push(JSON.stringify({ id: `batch_req_${requestId}`, custom_id: line.custom_id, response: { status_code: 400, request_id: requestId, body: failure }, error: null }));
        continue;
      }
      const request = body as MockChatRequest;
      const completion = chatCompletion(request, decideReply(request, context.settings().reply, output.length), `chatcmpl-batch-${requestId}`);
      output.push(JSON.stringify({ id: `batch_req_${requestId}`, custom_id: line.custom_id, response: { status_code: 200, request_id: requestId, body: completion }, error: null }));
    }
    const stamp = now();
    const outputFile = output.length > 0 ? addFile(`${batch.id}_output.jsonl`, 'batch_output', `${output.join('\n')}\n`) : undefined;
    const errorFile = errors.length > 0 ? addFile(`${batch.id}_error.jsonl`, 'batch_output', `${errors.join('\n')}\n`) : undefined;
    Object.assign(batch, {
      status: 'completed',
      finalizing_at: stamp,
      completed_at: stamp,
      output_file_id: outputFile?.id ?? null,
      error_file_id: errorFile?.id ?? null,
      request_counts: { total: output.length + errors.length, completed: output.length, failed: errors.length },
    });
    return batch;
  }

  function notFound(response: ServerResponse, what: string): true {
    sendJson(response, 404, errorBody(`No such ${what}`, 'invalid_request_error', null, 'id'));
    return true;
  }

  return (request, response) => {
    const { method, path } = request;
    if (method === 'POST' && path === '/v1/files') {
      const parts = parseMockMultipart(request.text ?? '', request.headers['content-type']);
      const file = parts?.find((part) => part.name === 'file');
      const purpose = parts?.find((part) => part.name === 'purpose')?.value;
      if (file === undefined || purpose === undefined) {
        sendJson(response, 400, errorBody("'file' and 'purpose' are required multipart fields", 'invalid_request_error', null, file === undefined ? 'file' : 'purpose'));
        return true;
      }
      sendJson(response, 200, publicFile(addFile(file.filename ?? 'upload.jsonl', purpose, file.value)));
      return true;
    }
    const fileMatch = /^\/v1\/files\/([^/]+)(\/content)?$/.exec(path);
    if (method === 'GET' && fileMatch) {
      const file = files.get(decodeURIComponent(fileMatch[1]));
      if (!file) return notFound(response, 'file');
      if (fileMatch[2]) {
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(file.content) });
        response.end(file.content);
      } else sendJson(response, 200, publicFile(file));
      return true;
    }
    if (method === 'POST' && path === '/v1/batches') {
      const body = request.body as { input_file_id?: unknown; endpoint?: unknown; completion_window?: unknown; metadata?: Record<string, string> } | undefined;
      const input = typeof body?.input_file_id === 'string' ? files.get(body.input_file_id) : undefined;
      if (!input) {
        sendJson(response, 400, errorBody('input_file_id must name an uploaded file', 'invalid_request_error', null, 'input_file_id'));
        return true;
      }
      const total = input.content.split('\n').filter((line) => line.trim() !== '').length;
      const created = now();
      const batch: MockBatch = {
        id: nextId('batch'),
        object: 'batch',
        endpoint: String(body?.endpoint ?? '/v1/chat/completions'),
        errors: null,
        input_file_id: input.id,
        completion_window: String(body?.completion_window ?? '24h'),
        status: 'in_progress',
        output_file_id: null,
        error_file_id: null,
        created_at: created,
        in_progress_at: created,
        expires_at: created + 86_400,
        finalizing_at: null,
        completed_at: null,
        failed_at: null,
        expired_at: null,
        cancelling_at: null,
        cancelled_at: null,
        request_counts: { total, completed: 0, failed: 0 },
        metadata: body?.metadata ?? null,
      };
      batches.set(batch.id, batch);
      completesAt.set(batch.id, Date.now() + (context.settings().batchDelayMs ?? DEFAULT_BATCH_DELAY_MS));
      sendJson(response, 200, batch);
      return true;
    }
    if (method === 'GET' && path === '/v1/batches') {
      const data = [...batches.values()].reverse().map(advance);
      sendJson(response, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
      return true;
    }
    const batchMatch = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
    if (batchMatch && ((method === 'GET' && !batchMatch[2]) || (method === 'POST' && batchMatch[2]))) {
      const batch = batches.get(decodeURIComponent(batchMatch[1]));
      if (!batch) return notFound(response, 'batch');
      if (batchMatch[2] && batch.status === 'in_progress') Object.assign(batch, { status: 'cancelling', cancelling_at: now() });
      sendJson(response, 200, batchMatch[2] ? batch : advance(batch));
      return true;
    }
    return false;
  };
}

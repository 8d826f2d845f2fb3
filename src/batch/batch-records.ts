import { randomUUID } from 'node:crypto';
import { openAIErrorBody, toGatewayError } from '../wire/error-mapping.js';
import { toOpenAIChatCompletion } from '../wire/openai-wire-convert.js';
import type { ChatResponse } from '../spec/response.js';

/*
 * The lines of an OpenAI Batch output file:
 * `{ "id", "custom_id", "response": { "status_code", "request_id", "body" }, "error" }`.
 * A success has status 200, the `chat.completion` body and `error: null`. A
 * failed request keeps the response (its mapped HTTP status and the OpenAI
 * error body, as the gateway would have answered) and also sets
 * `error: { code, message }`. An input line that cannot run has
 * `response: null` and an error naming the line (`line`, `param`).
 */

/** The `error` of an output line. `param` and `line` are set for input errors only. */
export interface BatchOutputError {
  code: string;
  message: string;
  param?: string | null;
  line?: number;
}

/** One line of the output file. */
export interface BatchOutputRecord {
  id: string;
  custom_id: string | null;
  response: { status_code: number; request_id: string; body: unknown } | null;
  error: BatchOutputError | null;
}

function recordId(): string {
  return `batch_req_${randomUUID().replaceAll('-', '')}`;
}

/** The output line of a request that succeeded. */
export function successRecord(customId: string, requestId: string, response: ChatResponse): BatchOutputRecord {
  return { id: recordId(), custom_id: customId, response: { status_code: 200, request_id: requestId, body: toOpenAIChatCompletion(response) }, error: null };
}

/** The output line of a request that failed: the gateway's status and error body, and the error's code and (secret-free) message. */
export function failureRecord(customId: string, requestId: string, error: unknown): BatchOutputRecord {
  const mapped = toGatewayError(error, requestId);
  return {
    id: recordId(),
    custom_id: customId,
    response: { status_code: mapped.status, request_id: requestId, body: openAIErrorBody(mapped) },
    error: { code: mapped.code, message: mapped.message },
  };
}

/** The output line of an input line that cannot run (malformed, invalid, or a duplicate custom_id). */
export function inputErrorRecord(customId: string | null, line: number, message: string, param: string | null): BatchOutputRecord {
  return { id: recordId(), custom_id: customId, response: null, error: { code: 'invalid_request', message, param, line } };
}

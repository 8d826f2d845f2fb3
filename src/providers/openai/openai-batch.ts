import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { ChatCodec } from '../../core/chat-codec.js';
import { multipartBody, requestRaw } from '../../core/http-body.js';
import { readJsonLines } from '../../core/json-lines.js';
import { parseJson } from '../../core/safe-json.js';
import { validateResponse } from '../../core/validate-response.js';
import type { DriverBatchApi, ProviderBatchLimits, ProviderBatchResult, ProviderBatchState, ProviderBatchStatus } from '../../spec/batch.js';
import { SwitchyardError } from '../../spec/errors.js';
import type { ProviderHttp } from '../../core/provider-http.js';
import { openAIChatResponseSchema, type OpenAIChatChunk, type OpenAIChatResponse } from './openai-api.js';
import { openAIBatchOutputLineSchema, openAIBatchSchema, openAIFileSchema, type OpenAIBatch } from './openai-batch-api.js';
import { mapOpenAIError } from './openai-error.js';

/** OpenAI's published per-batch limits: 50,000 requests and a 200 MB input file. */
export const OPENAI_BATCH_LIMITS: ProviderBatchLimits = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 };

const CHAT_URL = '/v1/chat/completions';

const STATUSES: Record<string, ProviderBatchStatus> = {
  validating: 'in_progress',
  in_progress: 'in_progress',
  finalizing: 'in_progress',
  cancelling: 'in_progress',
  completed: 'ended',
  failed: 'failed',
  expired: 'expired',
  cancelled: 'cancelled',
};

/** What the batch API borrows from its driver: its HTTP endpoint and its chat codec. */
export interface OpenAIBatchDependencies {
  http: ProviderHttp;
  codec: ChatCodec<OpenAIChatResponse, OpenAIChatChunk>;
  limits?: Partial<ProviderBatchLimits>;
}

/**
 * OpenAI's Batch API as a driver capability: the JSONL is uploaded (streamed
 * from disk) with `purpose: batch`, a 24 h batch is created on
 * /v1/chat/completions, polled, and its output and error files are streamed
 * back line by line.
 */
export function createOpenAIBatchApi(dependencies: OpenAIBatchDependencies): DriverBatchApi {
  const { http, codec } = dependencies;
  const provider = http.provider;
  const call = (path: string, context: string, body: unknown, signal?: AbortSignal) => http.options({ path, context, body, signal });
  const limits = { ...OPENAI_BATCH_LIMITS, ...dependencies.limits };

  function getBatch(id: string, signal?: AbortSignal): Promise<OpenAIBatch> {
    return http.json({ path: `/batches/${encodeURIComponent(id)}`, context: 'batch', signal }, openAIBatchSchema);
  }

  async function* fileLines(fileId: string, signal?: AbortSignal): AsyncGenerator<ProviderBatchResult> {
    const response = await requestRaw({ ...call(`/files/${encodeURIComponent(fileId)}/content`, 'batch file content', undefined, signal), body: undefined });
    try {
      for await (const text of readJsonLines(response.body)) {
        const line = validateResponse(openAIBatchOutputLineSchema, parseJson(text, `${provider} batch output line`, provider), `${provider} batch output line`, provider);
        yield toResult(line);
      }
    } finally {
      response.body.destroy();
    }
  }

  function toResult(line: ReturnType<typeof openAIBatchOutputLineSchema.parse>): ProviderBatchResult {
    const customId = line.custom_id;
    const status = line.response?.status_code;
    if (status !== undefined && status >= 200 && status < 300) {
      try {
        const completion = validateResponse(openAIChatResponseSchema, line.response!.body, `${provider} batch chat completion`, provider);
        return { customId, result: codec.decode(completion, { modelId: '', messages: [] }) };
      } catch (error) {
        return { customId, error: error as SwitchyardError };
      }
    }
    if (status !== undefined) {
      return { customId, error: mapOpenAIError({ status, headers: {}, bodyText: JSON.stringify(line.response!.body ?? {}) }, { provider }) };
    }
    const message = line.error?.message ?? 'the request did not run';
    const code = line.error?.code === 'batch_expired' || line.error?.code === 'batch_cancelled' ? 'aborted' : 'upstream_error';
    return { customId, error: new SwitchyardError({ code, message: `${provider} batch: ${message}`, provider }) };
  }

  return {
    limits,
    encodeRequest(customId, options) {
      const { body } = codec.encode(options, false);
      return JSON.stringify({ custom_id: customId, method: 'POST', url: CHAT_URL, body });
    },
    async submit({ path, signal }) {
      const upload = multipartBody(
        { purpose: 'batch' },
        { field: 'file', filename: basename(path), contentType: 'application/jsonl', stream: createReadStream(path) },
      );
      const uploaded = await requestRaw({ ...call('/files', 'file upload', undefined, signal), method: 'POST', body: upload.body, contentType: upload.contentType, accept: 'application/json' });
      const file = validateResponse(openAIFileSchema, parseJson(await uploaded.body.text(), `${provider} file upload`, provider), `${provider} file upload`, provider);
      const body = { input_file_id: file.id, endpoint: CHAT_URL, completion_window: '24h' };
      return { id: (await http.json({ path: '/batches', context: 'batch create', body, signal }, openAIBatchSchema)).id };
    },
    async poll(id, options = {}): Promise<ProviderBatchState> {
      const batch = await getBatch(id, options.signal);
      const counts = batch.request_counts;
      const failed = counts?.failed ?? 0;
      const message = batch.errors?.data?.map((error) => error.message).filter(Boolean).join('; ');
      return {
        id: batch.id,
        status: STATUSES[batch.status] ?? 'in_progress',
        counts: { total: counts?.total ?? 0, succeeded: counts?.completed ?? 0, failed },
        ...(message ? { message } : {}),
      };
    },
    async *results(id, options = {}) {
      const batch = await getBatch(id, options.signal);
      if (batch.output_file_id) yield* fileLines(batch.output_file_id, options.signal);
      if (batch.error_file_id) yield* fileLines(batch.error_file_id, options.signal);
    },
    async cancel(id, options = {}) {
      await http.send({ path: `/batches/${encodeURIComponent(id)}/cancel`, context: 'batch cancel', body: {}, signal: options.signal });
    },
  };
}

import { createReadStream } from 'node:fs';
import type { ChatCodec } from '../../core/chat-codec.js';
import { requestRaw } from '../../core/http-body.js';
import type { ProviderHttp } from '../../core/provider-http.js';
import { readJsonLines } from '../../core/json-lines.js';
import { parseJson } from '../../core/safe-json.js';
import { validateResponse } from '../../core/validate-response.js';
import type { DriverBatchApi, ProviderBatchLimits, ProviderBatchResult, ProviderBatchState } from '../../spec/batch.js';
import { SwitchyardError } from '../../spec/errors.js';
import { anthropicBatchResultLineSchema, anthropicMessageBatchSchema } from './anthropic-batch-api.js';
import type { AnthropicMessage } from './anthropic-api.js';
import { mapAnthropicError } from './anthropic-error.js';

/** Anthropic's published per-batch limits: 100,000 requests and 256 MB. */
export const ANTHROPIC_BATCH_LIMITS: ProviderBatchLimits = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 };

/** The HTTP status an errored result's error type stands for, to map it like a direct call's error. */
const TYPE_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

/** What the batch API borrows from its driver: its HTTP endpoint and its chat codec. */
export interface AnthropicBatchDependencies {
  http: ProviderHttp;
  codec: ChatCodec<AnthropicMessage, { type: string }>;
  limits?: Partial<ProviderBatchLimits>;
}

/**
 * Anthropic's Message Batches as a driver capability: the requests file is
 * streamed into one `{"requests": [...]}` body, the batch is polled, and the
 * results JSONL is streamed back line by line.
 */
export function createAnthropicBatchApi(dependencies: AnthropicBatchDependencies): DriverBatchApi {
  const { http, codec } = dependencies;
  const provider = http.provider;
  const call = (path: string, context: string, body: unknown, signal?: AbortSignal) => http.options({ path, context, body, signal });
  const limits = { ...ANTHROPIC_BATCH_LIMITS, ...dependencies.limits };
  const path = (id: string) => `/v1/messages/batches/${encodeURIComponent(id)}`;

  function toResult(text: string): ProviderBatchResult {
    const line = validateResponse(anthropicBatchResultLineSchema, parseJson(text, `${provider} batch result`, provider), `${provider} batch result`, provider);
    const customId = line.custom_id;
    const result = line.result;
    if (result.type === 'succeeded') return { customId, result: codec.decode(result.message, { modelId: '', messages: [] }) };
    if (result.type === 'errored') {
      const type = (result.error as { error?: { type?: unknown } } | undefined)?.error?.type;
      const status = (typeof type === 'string' ? TYPE_STATUS[type] : undefined) ?? 500;
      return { customId, error: mapAnthropicError({ status, headers: {}, bodyText: JSON.stringify(result.error ?? {}) }, { provider }) };
    }
    return { customId, error: new SwitchyardError({ code: 'aborted', message: `${provider} batch: the request was ${result.type} before it ran`, provider }) };
  }

  return {
    limits,
    encodeRequest(customId, options) {
      const { body } = codec.encode(options, false);
      return JSON.stringify({ custom_id: customId, params: body });
    },
    async submit({ path: file, signal }) {
      async function* body(): AsyncGenerator<string> {
        yield '{"requests":[';
        let first = true;
        for await (const line of readJsonLines(createReadStream(file))) {
          yield first ? line : `,${line}`;
          first = false;
        }
        yield ']}';
      }
      const response = await requestRaw({ ...call('/v1/messages/batches', 'message batch create', undefined, signal), method: 'POST', body: body(), contentType: 'application/json', accept: 'application/json' });
      const batch = validateResponse(anthropicMessageBatchSchema, parseJson(await response.body.text(), `${provider} message batch`, provider), `${provider} message batch`, provider);
      return { id: batch.id };
    },
    async poll(id, options = {}): Promise<ProviderBatchState> {
      const batch = await http.json({ path: path(id), context: 'message batch', signal: options.signal }, anthropicMessageBatchSchema);
      const counts = batch.request_counts;
      const succeeded = counts?.succeeded ?? 0;
      const failed = (counts?.errored ?? 0) + (counts?.canceled ?? 0) + (counts?.expired ?? 0);
      const ended = batch.processing_status === 'ended';
      return {
        id: batch.id,
        status: ended ? 'ended' : 'in_progress',
        counts: { total: succeeded + failed + (counts?.processing ?? 0), succeeded, failed },
      };
    },
    async *results(id, options = {}) {
      const response = await requestRaw({ ...call(`${path(id)}/results`, 'message batch results', undefined, options.signal), body: undefined });
      try {
        for await (const text of readJsonLines(response.body)) yield toResult(text);
      } finally {
        response.body.destroy();
      }
    },
    async cancel(id, options = {}) {
      await http.send({ path: `${path(id)}/cancel`, context: 'message batch cancel', body: {}, signal: options.signal });
    },
  };
}

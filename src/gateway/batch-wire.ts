import { z } from 'zod';
import type { BatchFile } from '../batch/batch-file-store.js';
import type { GatewayBatch } from '../batch/gateway-batch-store.js';

/*
 * The OpenAI Files and Batch API shapes the gateway sends and accepts.
 */

/** POST /v1/batches */
export const batchCreateSchema = z.object({
  input_file_id: z.string().min(1),
  endpoint: z.string().min(1),
  completion_window: z.literal('24h'),
  metadata: z.record(z.string(), z.string()).nullish(),
});

/** GET /v1/batches query. */
export const batchListQuerySchema = z.object({
  after: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

/** A file object. */
export function toOpenAIFile(file: BatchFile) {
  return {
    id: file.id,
    object: 'file',
    bytes: file.bytes,
    created_at: seconds(file.created_at),
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
    status_details: null,
    expires_at: null,
  };
}

/** A batch object with its request counts. */
export function toOpenAIBatch(batch: GatewayBatch, counts: { completed: number; failed: number }) {
  return {
    id: batch.id,
    object: 'batch',
    endpoint: batch.endpoint,
    errors: batch.errors === null ? null : (JSON.parse(batch.errors) as unknown),
    input_file_id: batch.input_file_id,
    completion_window: batch.completion_window,
    status: batch.status,
    output_file_id: batch.output_file_id,
    error_file_id: batch.error_file_id,
    created_at: seconds(batch.created_at),
    in_progress_at: seconds(batch.in_progress_at),
    expires_at: seconds(batch.created_at + 86_400_000),
    finalizing_at: seconds(batch.finalizing_at),
    completed_at: seconds(batch.completed_at),
    failed_at: seconds(batch.failed_at),
    expired_at: null,
    cancelling_at: seconds(batch.cancelling_at),
    cancelled_at: seconds(batch.cancelled_at),
    request_counts: { total: batch.total, completed: counts.completed, failed: counts.failed },
    metadata: batch.metadata === null ? null : (JSON.parse(batch.metadata) as unknown),
  };
}

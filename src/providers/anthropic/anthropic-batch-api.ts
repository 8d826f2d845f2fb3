import { z } from 'zod';
import { anthropicMessageSchema } from './anthropic-api.js';

/*
 * Anthropic Message Batches wire schemas: only the fields Switchyard reads.
 */

/** A message batch (POST /v1/messages/batches, GET /v1/messages/batches/{id}). */
export const anthropicMessageBatchSchema = z.object({
  id: z.string(),
  processing_status: z.string(),
  request_counts: z
    .object({
      processing: z.number().nullish(),
      succeeded: z.number().nullish(),
      errored: z.number().nullish(),
      canceled: z.number().nullish(),
      expired: z.number().nullish(),
    })
    .nullish(),
  cancel_initiated_at: z.string().nullish(),
});

/** One line of the results JSONL. */
export const anthropicBatchResultLineSchema = z.object({
  custom_id: z.string(),
  result: z.union([
    z.object({ type: z.literal('succeeded'), message: anthropicMessageSchema }),
    z.object({ type: z.literal('errored'), error: z.unknown() }),
    z.object({ type: z.enum(['canceled', 'expired']) }),
  ]),
});

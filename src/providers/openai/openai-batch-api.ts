import { z } from 'zod';

/*
 * OpenAI Files and Batch API wire schemas: only the fields Switchyard reads.
 */

/** A file object (POST /files, GET /files/{id}). */
export const openAIFileSchema = z.object({ id: z.string() });

/** A batch object (POST /batches, GET /batches/{id}). */
export const openAIBatchSchema = z.object({
  id: z.string(),
  status: z.string(),
  output_file_id: z.string().nullish(),
  error_file_id: z.string().nullish(),
  request_counts: z.object({ total: z.number().nullish(), completed: z.number().nullish(), failed: z.number().nullish() }).nullish(),
  errors: z
    .object({ data: z.array(z.object({ message: z.string().nullish(), code: z.string().nullish() })).nullish() })
    .nullish(),
});

/** One line of a batch's output or error file. */
export const openAIBatchOutputLineSchema = z.object({
  custom_id: z.string(),
  response: z.object({ status_code: z.number(), body: z.unknown() }).nullish(),
  error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});

/** The parsed batch object. */
export type OpenAIBatch = z.infer<typeof openAIBatchSchema>;

import { z } from 'zod';

/*
 * Ollama wire schemas (/api/chat, /api/tags, /api/embed): only the fields
 * Switchyard reads. Objects accept and drop unknown fields and most fields
 * are nullish, because Ollama versions differ in what they send. A payload
 * that does not fit is an `invalid_response` via validateResponse.
 */

const toolCallSchema = z.object({
  id: z.string().nullish(),
  function: z.object({
    index: z.number().nullish(),
    name: z.string(),
    /** An object on the wire (not a JSON string as in OpenAI). */
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish(),
  }),
});

/**
 * One /api/chat response: the whole answer (`stream: false`), or one NDJSON
 * line of a stream, where the last has `done: true`, `done_reason` and the counts.
 */
export const ollamaChatResponseSchema = z.object({
  model: z.string().nullish(),
  created_at: z.string().nullish(),
  message: z
    .object({
      role: z.string().nullish(),
      content: z.string().nullish(),
      thinking: z.string().nullish(),
      tool_calls: z.array(toolCallSchema).nullish(),
    })
    .nullish(),
  done: z.boolean().nullish(),
  done_reason: z.string().nullish(),
  prompt_eval_count: z.number().nullish(),
  eval_count: z.number().nullish(),
});

/** The Ollama error body: `{ "error": "..." }`, also sent as a line mid-stream. */
export const ollamaErrorBodySchema = z.object({ error: z.string() });

/** GET /api/tags */
export const ollamaTagsSchema = z.object({
  models: z
    .array(
      z.object({
        name: z.string(),
        model: z.string().nullish(),
        modified_at: z.string().nullish(),
        details: z.object({ family: z.string().nullish(), parameter_size: z.string().nullish() }).nullish(),
      }),
    )
    .nullish(),
});

/** POST /api/embed */
export const ollamaEmbedResponseSchema = z.object({
  embeddings: z.array(z.array(z.number())),
  prompt_eval_count: z.number().nullish(),
});

/** A parsed chat response or stream line. */
export type OllamaChatResponse = z.infer<typeof ollamaChatResponseSchema>;

import { z } from 'zod';

/*
 * OpenAI wire schemas (Chat Completions, Models, Embeddings): only the fields
 * Switchyard reads. Objects accept and drop unknown fields and most fields
 * are nullish, because OpenAI-compatible servers (vLLM, Groq, Ollama, LM
 * Studio) differ in what they send. A payload that does not fit is an
 * `invalid_response` via validateResponse.
 */

/** `usage` as OpenAI reports it. */
export const openAIUsageSchema = z.object({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
});

/** A choice's `logprobs`: one entry per output token, with alternatives when asked for. */
export const openAILogprobsSchema = z.object({
  content: z
    .array(z.object({ token: z.string(), logprob: z.number(), top_logprobs: z.array(z.object({ token: z.string(), logprob: z.number() })).nullish() }))
    .nullish(),
});

const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function').nullish(),
  function: z.object({ name: z.string(), arguments: z.string().nullish() }),
});

/** A non-streaming chat completion. */
export const openAIChatResponseSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        index: z.number().nullish(),
        message: z.object({
          role: z.string().nullish(),
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          tool_calls: z.array(toolCallSchema).nullish(),
          /** Reasoning text, as OpenAI-compatible servers (DeepSeek, vLLM) send it. */
          reasoning_content: z.string().nullish(),
        }),
        logprobs: openAILogprobsSchema.nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: openAIUsageSchema.nullish(),
});

/** The OpenAI error body, also sent as an SSE event mid-stream by some servers. */
export const openAIErrorBodySchema = z.object({
  error: z.object({
    message: z.string().nullish(),
    type: z.string().nullish(),
    code: z.union([z.string(), z.number()]).nullish(),
    param: z.string().nullish(),
  }),
});

/** One `chat.completion.chunk` of a stream (check for an `error` member first: see openAIErrorBodySchema). */
export const openAIChatChunkSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        index: z.number().nullish(),
        delta: z
          .object({
            role: z.string().nullish(),
            content: z.string().nullish(),
            refusal: z.string().nullish(),
            reasoning_content: z.string().nullish(),
            tool_calls: z
              .array(
                z.object({
                  index: z.number(),
                  id: z.string().nullish(),
                  type: z.literal('function').nullish(),
                  function: z
                    .object({ name: z.string().nullish(), arguments: z.string().nullish() })
                    .nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        logprobs: openAILogprobsSchema.nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: openAIUsageSchema.nullish(),
});

/** The parsed `logprobs` of a choice. */
export type OpenAILogprobs = z.infer<typeof openAILogprobsSchema>;

/** GET /models */
export const openAIModelListSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      created: z.number().nullish(),
      owned_by: z.string().nullish(),
      context_length: z.number().nullish(),
      context_window: z.number().nullish(),
    }),
  ),
});

/** POST /embeddings with `encoding_format: "float"`. */
export const openAIEmbeddingResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().nullish(), embedding: z.array(z.number()) })),
  usage: openAIUsageSchema.nullish(),
});

/** The parsed chat completion. */
export type OpenAIChatResponse = z.infer<typeof openAIChatResponseSchema>;
/** A parsed stream chunk. */
export type OpenAIChatChunk = z.infer<typeof openAIChatChunkSchema>;
/** The parsed `usage`. */
export type OpenAIUsage = z.infer<typeof openAIUsageSchema>;

import { z } from 'zod';

/*
 * Gemini wire schemas (generateContent, streamGenerateContent, models,
 * batchEmbedContents): only the fields Switchyard reads. Objects accept and
 * drop unknown fields and most fields are nullish, because Gemini omits
 * empty ones. A payload that does not fit is an `invalid_response` via
 * validateResponse.
 */

/** `usageMetadata` as Gemini reports it; `thoughtsTokenCount` is billed as output. */
export const geminiUsageSchema = z.object({
  promptTokenCount: z.number().nullish(),
  candidatesTokenCount: z.number().nullish(),
  thoughtsTokenCount: z.number().nullish(),
  totalTokenCount: z.number().nullish(),
});

/** One part of generated content: text (possibly a thought summary, `thought: true`) or a function call. */
export const geminiResponsePartSchema = z.object({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  /** The opaque signature that lets a thought be replayed. */
  thoughtSignature: z.string().nullish(),
  functionCall: z
    .object({
      id: z.string().nullish(),
      name: z.string(),
      args: z.record(z.string(), z.unknown()).nullish(),
    })
    .nullish(),
});

const logprobCandidateSchema = z.object({ token: z.string().nullish(), logProbability: z.number().nullish() });

/** A candidate's `logprobsResult` (`responseLogprobs`): the chosen token of each step, and the top alternatives of each. */
export const geminiLogprobsResultSchema = z.object({
  topCandidates: z.array(z.object({ candidates: z.array(logprobCandidateSchema).nullish() })).nullish(),
  chosenCandidates: z.array(logprobCandidateSchema).nullish(),
});

const candidateSchema = z.object({
  index: z.number().nullish(),
  content: z.object({ role: z.string().nullish(), parts: z.array(geminiResponsePartSchema).nullish() }).nullish(),
  finishReason: z.string().nullish(),
  logprobsResult: geminiLogprobsResultSchema.nullish(),
});

/**
 * A `GenerateContentResponse`: the whole answer, or one chunk of a stream.
 * No candidates at all means the prompt was blocked (see `promptFeedback`).
 */
export const geminiGenerateResponseSchema = z.object({
  candidates: z.array(candidateSchema).nullish(),
  promptFeedback: z.object({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: geminiUsageSchema.nullish(),
  modelVersion: z.string().nullish(),
  responseId: z.string().nullish(),
});

/** The Google API error body: `{ error: { code, message, status, details } }`. */
export const geminiErrorBodySchema = z.object({
  error: z.object({
    code: z.number().nullish(),
    message: z.string().nullish(),
    status: z.string().nullish(),
    details: z
      .array(
        z.object({
          '@type': z.string().nullish(),
          reason: z.string().nullish(),
          retryDelay: z.string().nullish(),
        }),
      )
      .nullish(),
  }),
});

/** GET models: one page of the list. */
export const geminiModelListSchema = z.object({
  models: z
    .array(
      z.object({
        name: z.string(),
        displayName: z.string().nullish(),
        inputTokenLimit: z.number().nullish(),
        outputTokenLimit: z.number().nullish(),
        supportedGenerationMethods: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
  nextPageToken: z.string().nullish(),
});

/** POST models/{model}:batchEmbedContents */
export const geminiBatchEmbedResponseSchema = z.object({
  embeddings: z.array(z.object({ values: z.array(z.number()) })),
});

/** A parsed generate response or stream chunk. */
export type GeminiGenerateResponse = z.infer<typeof geminiGenerateResponseSchema>;
/** A parsed response part. */
export type GeminiResponsePart = z.infer<typeof geminiResponsePartSchema>;
/** A parsed `logprobsResult`. */
export type GeminiLogprobsResult = z.infer<typeof geminiLogprobsResultSchema>;
/** The parsed `usageMetadata`. */
export type GeminiUsage = z.infer<typeof geminiUsageSchema>;

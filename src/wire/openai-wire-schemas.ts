import { z } from 'zod';

/*
 * Zod schemas of the OpenAI request bodies the gateway accepts. Objects are
 * loose (fields we do not use, such as `logprobs` or `metadata`, pass), but
 * every field we map is checked, so a bad one is a 400 naming it.
 */

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.string().optional() }),
});
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const filePart = z.looseObject({
  type: z.literal('file'),
  file: z.looseObject({ file_data: z.string().min(1).optional(), file_id: z.string().min(1).optional(), filename: z.string().optional() }),
});
const MODELLED_PARTS = new Set(['text', 'image_url', 'file']);
/** Any other part type (input_audio...): passed through to an OpenAI upstream, refused by others. */
const otherPart = z.looseObject({ type: z.string().refine((type) => !MODELLED_PARTS.has(type), 'this content part is malformed') });
const modelledUserPart = z.discriminatedUnion('type', [textPart, imagePart, filePart]);

/** A user content part the neutral model has (text, image_url, file). */
export type OpenAIModelledUserPart = z.infer<typeof modelledUserPart>;

/** True for a user content part the neutral model has. */
export function isModelledUserPart(part: { type: string }): part is OpenAIModelledUserPart {
  return MODELLED_PARTS.has(part.type);
}

const userContent = z.union([z.string(), z.array(z.union([modelledUserPart, otherPart]))]);
const textContent = z.union([z.string(), z.array(textPart)]);

const toolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

/** One message of a chat completion request. `developer` is treated as `system`. */
export const openAIMessageSchema = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: textContent, name: z.string().optional() }),
  z.looseObject({ role: z.literal('developer'), content: textContent, name: z.string().optional() }),
  z.looseObject({ role: z.literal('user'), content: userContent, name: z.string().optional() }),
  z.looseObject({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart]))]).nullish(),
    tool_calls: z.array(toolCall).optional(),
    name: z.string().optional(),
  }),
  z.looseObject({ role: z.literal('tool'), content: textContent, tool_call_id: z.string().min(1) }),
]);

const functionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1) }) }),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: z.string().min(1),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** POST /v1/chat/completions. */
export const openAIChatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(openAIMessageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  tools: z.array(functionTool).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormat.optional(),
  user: z.string().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high']).nullish(),
});

/** A validated chat completion request. */
export type OpenAIChatRequest = z.infer<typeof openAIChatRequestSchema>;
/** One validated message. */
export type OpenAIMessage = z.infer<typeof openAIMessageSchema>;

/** POST /v1/embeddings. `encoding_format` defaults to `float`; the official SDK asks for `base64`. */
export const openAIEmbeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  // Texts, or token ids: one array of them, or one array per input.
  input: z.union([
    z.string(),
    z.array(z.string()).min(1).max(2048),
    z.array(z.number().int().nonnegative()).min(1),
    z.array(z.array(z.number().int().nonnegative()).min(1)).min(1).max(2048),
  ]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
});

/** A validated embeddings request. */
export type OpenAIEmbeddingsRequest = z.infer<typeof openAIEmbeddingsRequestSchema>;

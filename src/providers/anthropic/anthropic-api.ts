import { z } from 'zod';

/*
 * Anthropic wire schemas (Messages, streaming events, Models, errors): only
 * the fields Switchyard reads. Objects accept and drop unknown fields, and
 * unknown content-block types (thinking, server tools...) are accepted and
 * skipped, as Anthropic's versioning policy asks of clients. A payload that
 * does not fit is an `invalid_response` via validateResponse.
 */

/** `usage` as Anthropic reports it; `input_tokens` excludes cache reads and writes. */
export const anthropicUsageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});

const textBlockSchema = z.object({ type: z.literal('text'), text: z.string() });
const toolUseBlockSchema = z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() });
const thinkingBlockSchema = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().nullish() });
const redactedThinkingBlockSchema = z.object({ type: z.literal('redacted_thinking'), data: z.string() });
const KNOWN_BLOCKS = new Set(['text', 'tool_use', 'thinking', 'redacted_thinking']);
const otherBlockSchema = z.object({
  type: z.string().refine((type) => !KNOWN_BLOCKS.has(type), 'a text, tool_use or thinking block is malformed'),
});

/** One content block of a response: text, tool_use, thinking, redacted_thinking, or another type that is skipped. */
export const anthropicContentBlockSchema = z.union([textBlockSchema, toolUseBlockSchema, thinkingBlockSchema, redactedThinkingBlockSchema, otherBlockSchema]);

/** A non-streaming Message. */
export const anthropicMessageSchema = z.object({
  id: z.string(),
  type: z.literal('message').nullish(),
  model: z.string().nullish(),
  content: z.array(anthropicContentBlockSchema),
  stop_reason: z.string().nullish(),
  stop_sequence: z.string().nullish(),
  usage: anthropicUsageSchema.nullish(),
});

/** The error body: `{"type":"error","error":{"type","message"},"request_id"}`; also the data of a stream `error` event. */
export const anthropicErrorBodySchema = z.object({
  type: z.literal('error').nullish(),
  error: z.object({
    type: z.string().nullish(),
    message: z.string().nullish(),
    details: z.object({ error_code: z.string().nullish() }).nullish(),
  }),
  request_id: z.string().nullish(),
});

/** Every stream event carries its `type` in the data; read it first, then the event's own schema. */
export const anthropicEventTypeSchema = z.object({ type: z.string() });

/** `message_start`: the message skeleton with input usage. */
export const anthropicMessageStartSchema = z.object({
  type: z.literal('message_start'),
  message: z.object({ id: z.string().nullish(), model: z.string().nullish(), usage: anthropicUsageSchema.nullish() }),
});

/** `content_block_start`: a text block or a tool_use block (with id and name), or another type. */
export const anthropicContentBlockStartSchema = z.object({
  type: z.literal('content_block_start'),
  index: z.number(),
  content_block: anthropicContentBlockSchema,
});

/** `content_block_delta`: text_delta, input_json_delta, or another delta type that is skipped. */
export const anthropicContentBlockDeltaSchema = z.object({
  type: z.literal('content_block_delta'),
  index: z.number(),
  delta: z.union([
    z.object({ type: z.literal('text_delta'), text: z.string() }),
    z.object({ type: z.literal('input_json_delta'), partial_json: z.string() }),
    z.object({ type: z.literal('thinking_delta'), thinking: z.string() }),
    z.object({ type: z.literal('signature_delta'), signature: z.string() }),
    z.object({
      type: z.string().refine((type) => !['text_delta', 'input_json_delta', 'thinking_delta', 'signature_delta'].includes(type), 'a delta is malformed'),
    }),
  ]),
});

/** `content_block_stop`. */
export const anthropicContentBlockStopSchema = z.object({ type: z.literal('content_block_stop'), index: z.number() });

/** `message_delta`: the stop reason and cumulative usage (output tokens; newer APIs also repeat input tokens). */
export const anthropicMessageDeltaSchema = z.object({
  type: z.literal('message_delta'),
  delta: z.object({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish() }),
  usage: anthropicUsageSchema.nullish(),
});

/** POST /v1/messages/count_tokens. */
export const anthropicTokenCountSchema = z.object({ input_tokens: z.number() });

/** GET /v1/models: one page of the cursor-paginated list. */
export const anthropicModelListSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      display_name: z.string().nullish(),
      created_at: z.string().nullish(),
      max_input_tokens: z.number().nullish(),
    }),
  ),
  has_more: z.boolean().nullish(),
  first_id: z.string().nullish(),
  last_id: z.string().nullish(),
});

/** The parsed Message. */
export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;
/** The parsed `usage`. */
export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;
/** The parsed error body. */
export type AnthropicErrorBody = z.infer<typeof anthropicErrorBodySchema>;

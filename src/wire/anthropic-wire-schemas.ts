import { z } from 'zod';

/*
 * Zod schemas of the Anthropic Messages request. Loose objects: fields we do
 * not model (cache_control, citations, service_tier, container...) and block
 * types we do not model pass, to reach an Anthropic upstream verbatim.
 */

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const imageBlock = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) }),
    z.looseObject({ type: z.literal('url'), url: z.string().min(1) }),
  ]),
});
const toolUseBlock = z.looseObject({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.unknown() });
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock]))]).optional(),
  is_error: z.boolean().optional(),
});

const documentBlock = z.looseObject({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) }),
    z.looseObject({ type: z.literal('text'), media_type: z.string().optional(), data: z.string() }),
    z.looseObject({ type: z.literal('url'), url: z.string().min(1) }),
  ]),
  title: z.string().nullish(),
});
const thinkingBlock = z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() });
const redactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() });
const MODELLED_BLOCKS = new Set(['text', 'image', 'tool_use', 'tool_result', 'document', 'thinking', 'redacted_thinking']);
/** Any other block type (server tools, search results, containers...): passed through to Anthropic, refused by others. */
const otherBlock = z.looseObject({ type: z.string().refine((type) => !MODELLED_BLOCKS.has(type), 'this block is malformed') });

const modelledBlock = z.discriminatedUnion('type', [textBlock, imageBlock, toolUseBlock, toolResultBlock, documentBlock, thinkingBlock, redactedThinkingBlock]);

/** A content block of a request message. */
export const anthropicContentBlockSchema = z.union([modelledBlock, otherBlock]);

/** A block type the neutral model has (text, image, tool_use, tool_result, document, thinking, redacted_thinking). */
export type AnthropicModelledBlock = z.infer<typeof modelledBlock>;

/** True for a block the neutral model has; other blocks only reach an Anthropic upstream. */
export function isModelledBlock(block: { type: string }): block is AnthropicModelledBlock {
  return MODELLED_BLOCKS.has(block.type);
}

/** One message: user or assistant, content a string or blocks. */
export const anthropicMessageSchema = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(anthropicContentBlockSchema)]),
});

const tool = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()),
  strict: z.boolean().optional(),
});

const disableParallel = { disable_parallel_tool_use: z.boolean().optional() };
const toolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), ...disableParallel }),
  z.looseObject({ type: z.literal('any'), ...disableParallel }),
  z.looseObject({ type: z.literal('none') }),
  z.looseObject({ type: z.literal('tool'), name: z.string().min(1), ...disableParallel }),
]);

/** POST /v1/messages. */
export const anthropicMessagesRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(anthropicMessageSchema).min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().positive().optional(),
  stop_sequences: z.array(z.string()).optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  thinking: z
    .discriminatedUnion('type', [
      z.looseObject({ type: z.literal('enabled'), budget_tokens: z.number().int().positive() }),
      z.looseObject({ type: z.literal('disabled') }),
    ])
    .optional(),
  output_config: z
    .looseObject({
      format: z.looseObject({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) }).optional(),
      effort: z.enum(['low', 'medium', 'high']).optional(),
    })
    .optional(),
});

/** POST /v1/messages/count_tokens: a Messages request without `max_tokens` and `stream`. */
export const anthropicCountTokensRequestSchema = anthropicMessagesRequestSchema.omit({ max_tokens: true, stream: true });

/** A validated Messages request. */
export type AnthropicMessagesRequest = z.infer<typeof anthropicMessagesRequestSchema>;
/** A validated content block. */
export type AnthropicContentBlock = z.infer<typeof anthropicContentBlockSchema>;

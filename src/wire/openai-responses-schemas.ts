import { z } from 'zod';

/*
 * Zod schemas of the OpenAI Responses API request (`POST /v1/responses`).
 * Objects are loose: a native OpenAI target receives the body verbatim, so
 * fields and item types this file does not model still travel there; the
 * conversion to the chat pipeline refuses whatever it cannot honour (see
 * openai-responses-fields.ts). Every item, tool and field the conversion
 * reads is checked here, so a bad one is a 400 naming it.
 */

/** Validates a value against `schema`, reporting its issues on the enclosing context; undefined when invalid. */
function parseInto<T>(schema: z.ZodType<T>, value: unknown, context: z.core.$RefinementCtx): T | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) context.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return undefined;
}

/** A string, or a list checked by `list`, whose issues keep their paths (a plain union reports only "Invalid input"). */
function stringOr<T>(list: z.ZodType<T>) {
  return z.any().transform((value: unknown, context): string | T => (typeof value === 'string' ? value : (parseInto(list, value, context) ?? z.NEVER)));
}

const inputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const inputImage = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().min(1).nullish(),
  file_id: z.string().nullish(),
  detail: z.string().optional(),
});
const inputFile = z.looseObject({
  type: z.literal('input_file'),
  file_data: z.string().optional(),
  file_id: z.string().nullish(),
  file_url: z.string().optional(),
  filename: z.string().optional(),
});
const outputText = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

/** A content part of an input message (user, system, developer) or of a function call's output. */
export const responsesInputContentSchema = z.discriminatedUnion('type', [inputText, inputImage, inputFile]);

const inputMessage = z.looseObject({
  type: z.literal('message'),
  role: z.enum(['user', 'system', 'developer']),
  content: stringOr(z.array(responsesInputContentSchema)),
});

const assistantMessage = z.looseObject({
  type: z.literal('message'),
  role: z.literal('assistant'),
  id: z.string().optional(),
  content: stringOr(z.array(z.discriminatedUnion('type', [outputText, refusal, inputText]))),
});

const functionCall = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  id: z.string().optional(),
});

const functionCallOutput = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: stringOr(z.array(responsesInputContentSchema)),
});

/** A reference to an output item of a stored response (the Vercel AI SDK sends these when `store` is on). */
const itemReference = z.looseObject({ type: z.literal('item_reference'), id: z.string().min(1) });

/** The model's reasoning in an earlier turn: its summary (or text) and, for replay, `encrypted_content`. */
const reasoningItem = z.looseObject({
  type: z.literal('reasoning'),
  id: z.string().optional(),
  summary: z.array(z.looseObject({ type: z.string(), text: z.string() })),
  content: z.array(z.looseObject({ type: z.string(), text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
});

/** An item of a type the conversion does not model (built-in tool calls and their outputs, compaction...). */
export interface ResponsesOtherItem {
  type: 'other';
  /** The item's own `type`. */
  itemType: string;
}

const knownItems: Record<string, z.ZodType> = {
  message: z.discriminatedUnion('role', [inputMessage, assistantMessage]),
  function_call: functionCall,
  function_call_output: functionCallOutput,
  item_reference: itemReference,
  reasoning: reasoningItem,
};

/** One input item, checked by its `type`; a message may omit `type` (its role says which). */
export const responsesInputItemSchema = z
  .looseObject({ type: z.string().min(1).optional() })
  .transform((item, context) => {
    const type = item.type ?? 'message';
    const schema = knownItems[type];
    if (!schema) return { type: 'other', itemType: type } satisfies ResponsesOtherItem;
    const parsed = parseInto(schema, { ...item, type }, context);
    return (parsed ?? z.NEVER) as
      | z.infer<typeof inputMessage>
      | z.infer<typeof assistantMessage>
      | z.infer<typeof functionCall>
      | z.infer<typeof functionCallOutput>
      | z.infer<typeof itemReference>
      | z.infer<typeof reasoningItem>;
  });

const functionTool = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

/** A tool: a function (converted for every provider) or a built-in one (OpenAI only). */
export const responsesToolSchema = z.looseObject({ type: z.string().min(1) }).transform((tool, context) => {
  if (tool.type !== 'function') return { type: 'other', itemType: tool.type } satisfies ResponsesOtherItem;
  return parseInto(functionTool, tool, context) ?? z.NEVER;
});

const functionChoice = z.looseObject({ type: z.literal('function'), name: z.string().min(1) });

const toolChoice = z.union([z.enum(['auto', 'none', 'required']), z.looseObject({ type: z.string().min(1) })]).transform((choice, context) => {
  if (typeof choice === 'string') return choice;
  if (choice.type !== 'function') return { type: 'other', itemType: choice.type } satisfies ResponsesOtherItem;
  return parseInto(functionChoice, choice, context) ?? z.NEVER;
});

const textFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.string().min(1),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().optional(),
    strict: z.boolean().nullish(),
  }),
]);

/** POST /v1/responses. */
export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: stringOr(z.array(responsesInputItemSchema)).optional(),
  instructions: z.string().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_obfuscation: z.boolean().optional() }).nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  tools: z.array(responsesToolSchema).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish(), summary: z.string().nullish(), generate_summary: z.string().nullish() }).nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  include: z.array(z.string()).nullish(),
  text: z.looseObject({ format: textFormat.optional(), verbosity: z.string().nullish() }).optional(),
  metadata: z.record(z.string(), z.string()).nullish(),
  user: z.string().optional(),
});

/** A validated Responses request. */
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
/** One validated input item. */
export type ResponsesInputItem = z.infer<typeof responsesInputItemSchema>;
/** One validated tool. */
export type ResponsesTool = z.infer<typeof responsesToolSchema>;
/** One validated content part of an input message or function call output. */
export type ResponsesInputContent = z.infer<typeof responsesInputContentSchema>;

import { z } from 'zod';
import { openAIChatRequestSchema, type OpenAIChatRequest } from '../wire/openai-wire-schemas.js';

/*
 * One line of an OpenAI Batch input file:
 * `{ "custom_id", "method": "POST", "url": "/v1/chat/completions", "body": {...} }`.
 * The body is the gateway's own chat-completion schema, so a batch accepts
 * exactly what `POST /v1/chat/completions` accepts.
 */

/** The one endpoint a batch line may target. */
export const BATCH_CHAT_URL = '/v1/chat/completions';

const batchLineSchema = z.looseObject({
  custom_id: z.string().min(1),
  method: z.literal('POST'),
  url: z.literal(BATCH_CHAT_URL),
  body: openAIChatRequestSchema,
});

/** A line ready to run. */
export interface BatchRequestLine {
  kind: 'request';
  customId: string;
  body: OpenAIChatRequest;
}

/** A line that cannot run: the message names the line and the field (`param`) at fault. */
export interface InvalidBatchLine {
  kind: 'invalid';
  /** The line's custom_id when it has a usable one, else null. */
  customId: string | null;
  message: string;
  param: string | null;
}

/** What one input line is: a request, or an input error. */
export type ParsedBatchLine = BatchRequestLine | InvalidBatchLine;

/**
 * Parses and validates one input line (1-based `lineNumber`). `model`, when
 * given, replaces or fills `body.model` before validation. Never throws: a
 * bad line comes back as `invalid` naming the line number and the field.
 */
export function parseBatchLine(text: string, lineNumber: number, model?: string): ParsedBatchLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', customId: null, param: null, message: `line ${lineNumber}: not valid JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', customId: null, param: null, message: `line ${lineNumber}: must be a JSON object` };
  }
  const record = value as Record<string, unknown>;
  const customId = customIdOf(record);
  if (model !== undefined && typeof record.body === 'object' && record.body !== null && !Array.isArray(record.body)) {
    record.body = { ...(record.body as Record<string, unknown>), model };
  }
  const result = batchLineSchema.safeParse(record);
  if (result.success) return { kind: 'request', customId: result.data.custom_id, body: result.data.body };
  const issues = result.error.issues.slice(0, 5);
  const param = issues[0]?.path.join('.') || null;
  const described = issues.map((issue) => `${issue.path.join('.') || '(line)'}: ${issue.message}`).join('; ');
  return { kind: 'invalid', customId, param, message: `line ${lineNumber}: ${described}` };
}

/** The custom_id of a parsed line, when it is a non-empty string. */
export function customIdOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const customId = (value as { custom_id?: unknown }).custom_id;
  return typeof customId === 'string' && customId.length > 0 ? customId : null;
}

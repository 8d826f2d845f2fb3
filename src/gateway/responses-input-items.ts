import { z } from 'zod';
import { SwitchyardError } from '../spec/errors.js';
import type { StoredResponse } from '../store/stored-responses.js';

/*
 * GET /v1/responses/{id}/input_items: the input items of a stored response
 * (its conversation's items up to it, as kept at creation) in OpenAI's list
 * shape, paged by `limit`, `order` and `after`.
 */

const inputItemsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: z.string().min(1).optional(),
  // Items are always listed whole: every `include` value is already there.
  include: z.union([z.string(), z.array(z.string())]).optional(),
});

/** OpenAI's list of input items. */
export interface InputItemList {
  object: 'list';
  data: Array<Record<string, unknown>>;
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** Reads the query string of a listing; a bad value is a 400 naming it. */
export function parseInputItemsQuery(query: unknown): z.output<typeof inputItemsQuerySchema> {
  const parsed = inputItemsQuerySchema.safeParse(query ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue.path.join('.');
  throw new SwitchyardError({ code: 'invalid_request', status: 400, param, message: `${param}: ${issue.message}` });
}

/**
 * An input item as OpenAI lists it: with an `id` (its own, else one made
 * from the response id and its position) and a message's string content as
 * one text part.
 */
function listed(item: unknown, responseId: string, index: number): Record<string, unknown> {
  const value = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : { type: 'message', role: 'user', content: String(item) };
  const id = typeof value.id === 'string' ? value.id : `in_${responseId.replace(/^resp_/, '')}_${index}`;
  const out: Record<string, unknown> = { id, ...value };
  if ((value.type === undefined || value.type === 'message') && typeof value.content === 'string') {
    out.type = 'message';
    out.content = [{ type: value.role === 'assistant' ? 'output_text' : 'input_text', text: value.content }];
  }
  return out;
}

/**
 * One page of a stored response's input items: `order` `desc` (the default,
 * newest first) or `asc`, the items after the one named `after` (a 400
 * naming `after` when it names none), at most `limit` (default 20).
 */
export function listInputItems(stored: Pick<StoredResponse, 'id' | 'input'>, query: z.output<typeof inputItemsQuerySchema>): InputItemList {
  const items = stored.input.map((item, index) => listed(item, stored.id, index));
  if (query.order === 'desc') items.reverse();
  let start = 0;
  if (query.after !== undefined) {
    const at = items.findIndex((item) => item.id === query.after);
    if (at === -1) {
      throw new SwitchyardError({ code: 'invalid_request', status: 400, param: 'after', message: `after: no input item '${query.after}' in response '${stored.id}'` });
    }
    start = at + 1;
  }
  const data = items.slice(start, start + query.limit);
  return {
    object: 'list',
    data,
    first_id: (data[0]?.id as string | undefined) ?? null,
    last_id: (data.at(-1)?.id as string | undefined) ?? null,
    has_more: start + query.limit < items.length,
  };
}

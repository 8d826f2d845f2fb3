import { z } from 'zod';
import type { Switchyard } from '../client/types.js';
import { SwitchyardError } from '../spec/errors.js';
import { createResponseStore, type ResponseStore, type StoredResponse } from '../store/stored-responses.js';
import { parseOutputItemId } from '../wire/openai-responses-output.js';
import { responsesInputItemSchema, type ResponsesInputItem, type ResponsesRequest } from '../wire/openai-responses-schemas.js';

/*
 * The gateway's side of `store` and `previous_response_id`: stored responses
 * per tenant, and the conversation a request continues.
 */

/** The conversation before a request: the raw items to store again, and the same items validated for conversion. */
export interface ResponsesConversation {
  /** The stored response it continues, when `previous_response_id` was given. */
  previous?: StoredResponse;
  /** Every item before this request's input: the previous response's input, then its output. */
  items: unknown[];
  /** `items`, validated (an item the conversion does not model is `type: 'other'`). */
  parsed: ResponsesInputItem[];
}

const historySchema = z.array(responsesInputItemSchema);

/** The tenant's stored responses, opened with the database on first use. */
export function createResponsesStoreAccess(ai: Switchyard): () => Promise<ResponseStore> {
  let store: Promise<ResponseStore> | undefined;
  return () => {
    store ??= ai.services.database().then(
      ({ db }) => createResponseStore(db),
      (error: unknown) => {
        store = undefined;
        throw error;
      },
    );
    return store;
  };
}

/** The 404 for a response id the tenant does not have. */
export function responseNotFound(id: string, param?: string): SwitchyardError {
  const what = param === 'previous_response_id' ? 'Previous response' : 'Response';
  return new SwitchyardError({ code: 'not_found', status: 404, ...(param ? { param } : {}), message: `${what} with id '${id}' not found.` });
}

/**
 * Loads the conversation a request continues: nothing without
 * `previous_response_id`, else the tenant's stored response (404 when it has
 * none with that id, another tenant's included) with its input and output
 * items.
 */
export async function loadConversation(store: () => Promise<ResponseStore>, body: ResponsesRequest, tenant: string): Promise<ResponsesConversation> {
  const id = body.previous_response_id;
  if (id == null) return { items: [], parsed: [] };
  const previous = await (await store()).get(id, tenant);
  if (!previous) throw responseNotFound(id, 'previous_response_id');
  const items = [...previous.input, ...(Array.isArray(previous.response.output) ? previous.response.output : [])];
  const parsed = historySchema.safeParse(items);
  if (!parsed.success) {
    throw new SwitchyardError({ code: 'invalid_request', status: 400, param: 'previous_response_id', message: `the stored conversation of '${id}' cannot be continued here` });
  }
  return { previous, items, parsed: parsed.data };
}

/** The request's own input as items (a string input is one user message). */
export function inputItemsOf(raw: Record<string, unknown>): unknown[] {
  const input = raw.input;
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return Array.isArray(input) ? input : [];
}

function isItemReference(item: unknown): item is { type: 'item_reference'; id: string } {
  return typeof item === 'object' && item !== null && (item as { type?: unknown }).type === 'item_reference' && typeof (item as { id?: unknown }).id === 'string';
}

/**
 * Replaces each `item_reference` of a raw input with the output item it
 * names, read from the tenant's stored response that produced it (an output
 * item id carries its response's id). A reference to anything else is a 404
 * naming `input.N.id`. Returns `input` itself when it holds no reference.
 */
export async function resolveItemReferences(input: unknown, store: () => Promise<ResponseStore>, tenant: string): Promise<unknown> {
  if (!Array.isArray(input) || !input.some(isItemReference)) return input;
  const responses = new Map<string, StoredResponse | undefined>();
  const resolved: unknown[] = [];
  for (const [index, item] of input.entries()) {
    if (!isItemReference(item)) {
      resolved.push(item);
      continue;
    }
    const named = parseOutputItemId(item.id);
    if (named && !responses.has(named.responseId)) responses.set(named.responseId, await (await store()).get(named.responseId, tenant));
    const output = named ? responses.get(named.responseId)?.response.output?.[named.outputIndex] : undefined;
    if ((output as { id?: unknown } | undefined)?.id !== item.id) {
      throw new SwitchyardError({ code: 'not_found', status: 404, param: `input.${index}.id`, message: `Item with id '${item.id}' not found.` });
    }
    resolved.push(output);
  }
  return resolved;
}

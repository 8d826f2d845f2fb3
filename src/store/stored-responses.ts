import type { Kysely } from 'kysely';
import { yieldAfterLarge } from '../core/loop-turns.js';
import { parseJson } from '../core/safe-json.js';
import type { DatabaseSchema } from './database-schema.js';

/**
 * One row of `stored_responses`: a Responses API response kept for its
 * tenant (`store` true, the default). `input` is the JSON array of every
 * input item of the conversation up to this response (the stored history of
 * its `previous_response_id` included), `response` the JSON `response`
 * object; `native` is 1 when an OpenAI-type upstream answered it natively
 * (and so knows the id too); `created_at` epoch milliseconds.
 */
export interface StoredResponsesTable {
  id: string;
  tenant: string;
  provider: string;
  model: string;
  native: number;
  input: string;
  response: string;
  created_at: number;
}

/** A stored response, its JSON parsed. */
export interface StoredResponse {
  id: string;
  tenant: string;
  /** The provider that answered. */
  provider: string;
  model: string;
  /** True when an OpenAI-type upstream answered it natively and knows its id. */
  native: boolean;
  /** The conversation's input items up to this response. */
  input: unknown[];
  /** The `response` object. */
  response: Record<string, unknown> & { output?: unknown[] };
  createdAt: number;
}

/** Stored responses, always scoped to one tenant: another tenant's id reads as absent. */
export interface ResponseStore {
  /** Keeps a response (replacing one with the same id and tenant). */
  save(response: Omit<StoredResponse, 'createdAt'>): Promise<void>;
  /** The tenant's response with this id, or undefined. */
  get(id: string, tenant: string): Promise<StoredResponse | undefined>;
  /** Deletes the tenant's response with this id; false when there was none. */
  delete(id: string, tenant: string): Promise<boolean>;
}

/** Creates the store over a migrated database. */
export function createResponseStore(db: Kysely<DatabaseSchema>): ResponseStore {
  return {
    async save(response) {
      // A long conversation is megabytes of JSON: each serialisation gets its own turn of the loop, and the upsert binds it once.
      const input = JSON.stringify(response.input);
      await yieldAfterLarge(input);
      const answer = JSON.stringify(response.response);
      await yieldAfterLarge(answer);
      await db
        .insertInto('stored_responses')
        .values({
          id: response.id,
          tenant: response.tenant,
          provider: response.provider,
          model: response.model,
          native: response.native ? 1 : 0,
          input,
          response: answer,
          created_at: Date.now(),
        })
        .onConflict((conflict) =>
          conflict
            .column('id')
            .doUpdateSet((update) => ({
              provider: update.ref('excluded.provider'),
              model: update.ref('excluded.model'),
              native: update.ref('excluded.native'),
              input: update.ref('excluded.input'),
              response: update.ref('excluded.response'),
              created_at: update.ref('excluded.created_at'),
            }))
            .where('stored_responses.tenant', '=', response.tenant),
        )
        .execute();
    },
    async get(id, tenant) {
      const row = await db.selectFrom('stored_responses').selectAll().where('id', '=', id).where('tenant', '=', tenant).executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        tenant: row.tenant,
        provider: row.provider,
        model: row.model,
        native: row.native === 1,
        input: parseJson(row.input, 'stored response input') as unknown[],
        response: parseJson(row.response, 'stored response') as StoredResponse['response'],
        createdAt: row.created_at,
      };
    },
    async delete(id, tenant) {
      const result = await db.deleteFrom('stored_responses').where('id', '=', id).where('tenant', '=', tenant).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/database-schema.js';
import { entryBytes, namespaceOf, type CacheLayer } from './cache-layer.js';

/** Options for {@link createSqlLayer}. */
export interface SqlLayerOptions {
  /** A migrated database (see src/store). */
  db: Kysely<DatabaseSchema>;
  /** Rows deleted per prune statement. Default 1000. */
  pruneBatchSize?: number;
  /** Most prune statements per `prune()` call, so one call stays bounded. Default 100. */
  pruneMaxBatches?: number;
  /**
   * Expired rows are pruned on their own this often (at most `autoPruneBatches`
   * statements each time), on an unref'd timer started by the first write.
   * 0 turns it off. Default 600,000 (10 minutes).
   */
  autoPruneIntervalMs?: number;
  /** Most prune statements per automatic prune. Default 10 (10,000 rows at the default batch size). */
  autoPruneBatches?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * The L3 layer: `cache_entries` in SQLite or PostgreSQL, persistent across
 * restarts. Expired rows are ignored on read and removed in bounded batches:
 * by `prune()` (the CLI's `cache prune`) and on their own every
 * `autoPruneIntervalMs` once the layer has been written to.
 */
export function createSqlLayer(options: SqlLayerOptions): CacheLayer {
  const { db } = options;
  const now = options.now ?? Date.now;
  const batchSize = options.pruneBatchSize ?? 1_000;
  const maxBatches = options.pruneMaxBatches ?? 100;
  const autoPruneIntervalMs = options.autoPruneIntervalMs ?? 600_000;
  const autoPruneBatches = options.autoPruneBatches ?? 10;
  let autoPrune: NodeJS.Timeout | undefined;
  let closed = false;

  /** Deletes expired rows, at most `batches` statements of `batchSize`. */
  async function pruneExpired(batches: number): Promise<number> {
    let removed = 0;
    for (let batch = 0; batch < batches; batch += 1) {
      const limit = now();
      const result = await db
        .deleteFrom('cache_entries')
        .where('key', 'in', db.selectFrom('cache_entries').select('key').where('expires_at', '<=', limit).limit(batchSize))
        .executeTakeFirst();
      const count = Number(result.numDeletedRows);
      removed += count;
      if (count < batchSize) break;
    }
    return removed;
  }

  function startAutoPrune(): void {
    if (autoPrune !== undefined || closed || autoPruneIntervalMs <= 0) return;
    let running = false;
    autoPrune = setInterval(() => {
      if (running) return;
      running = true;
      // A failed prune (database briefly down) is tried again at the next tick.
      pruneExpired(autoPruneBatches)
        .catch(() => undefined)
        .finally(() => (running = false));
    }, autoPruneIntervalMs);
    autoPrune.unref();
  }

  return {
    name: 'sql',
    async get(key) {
      const row = await db
        .selectFrom('cache_entries')
        .select(['value', 'expires_at'])
        .where('key', '=', key)
        .where('expires_at', '>', now())
        .executeTakeFirst();
      return row === undefined ? undefined : { value: row.value, expiresAt: Number(row.expires_at) };
    },
    async set(key, value, ttlMs) {
      startAutoPrune();
      if (ttlMs <= 0) {
        await db.deleteFrom('cache_entries').where('key', '=', key).execute();
        return;
      }
      const createdAt = now();
      const row = {
        key,
        namespace: namespaceOf(key),
        value,
        size_bytes: entryBytes(key, value),
        expires_at: createdAt + Math.ceil(ttlMs),
        created_at: createdAt,
      };
      await db
        .insertInto('cache_entries')
        .values(row)
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet({
            value: row.value,
            size_bytes: row.size_bytes,
            expires_at: row.expires_at,
            created_at: row.created_at,
          }),
        )
        .execute();
    },
    async delete(key) {
      await db.deleteFrom('cache_entries').where('key', '=', key).execute();
    },
    async clear(namespace) {
      let query = db.deleteFrom('cache_entries');
      if (namespace !== undefined) query = query.where('namespace', '=', namespace);
      await query.execute();
    },
    async prune() {
      return pruneExpired(maxBatches);
    },
    async usage() {
      const row = await db
        .selectFrom('cache_entries')
        .select((eb) => [eb.fn.countAll<number>().as('entries'), eb.fn.sum<number | null>('size_bytes').as('bytes')])
        .executeTakeFirst();
      return { entries: Number(row?.entries ?? 0), bytes: Number(row?.bytes ?? 0) };
    },
    async close() {
      // The database belongs to whoever created it; the prune timer is this layer's.
      closed = true;
      clearInterval(autoPrune);
      autoPrune = undefined;
    },
  };
}

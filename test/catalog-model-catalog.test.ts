import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLayer } from '../src/cache/memory-layer.js';
import { createSqlLayer } from '../src/cache/sql-layer.js';
import { createTieredCache, type TieredCache } from '../src/cache/tiered-cache.js';
import { syncProviderModels } from '../src/catalog/catalog-store.js';
import { catalogCacheKey, createModelCatalog, enrichModel } from '../src/catalog/model-catalog.js';
import type { DriverModel } from '../src/spec/driver.js';
import type { ModelInfo } from '../src/spec/response.js';
import { DIALECTS, type TestDatabase } from './store-support.js';

const HOUR = 60 * 60 * 1000;

/** A provider whose list can change, counting every list call; `hold()` keeps list calls pending until `open()`. */
function fakeProvider(initial: DriverModel[]) {
  let current = initial;
  let calls = 0;
  let gate: Promise<void> | undefined;
  let openGate = () => {};
  return {
    set(models: DriverModel[]) {
      current = models;
    },
    calls: () => calls,
    hold() {
      gate = new Promise<void>((resolve) => (openGate = resolve));
    },
    open() {
      openGate();
      gate = undefined;
    },
    listFromProvider: async (): Promise<DriverModel[]> => {
      calls += 1;
      const snapshot = current;
      if (gate !== undefined) await gate;
      return snapshot;
    },
  };
}

describe.each(DIALECTS)('model catalog on $dialect', ({ create }) => {
  let store: TestDatabase;
  let cache: TieredCache;

  beforeAll(async () => {
    store = await create();
  });
  afterAll(async () => {
    await store.dispose();
  });

  function setup(provider: ReturnType<typeof fakeProvider>, clock: { now: number }) {
    cache = createTieredCache({ layers: [createMemoryLayer(), createSqlLayer({ db: store.database.db })] });
    return createModelCatalog({ cache, db: store.database.db, listFromProvider: provider.listFromProvider, now: () => clock.now });
  }

  async function activeIds(providerName: string): Promise<string[]> {
    const rows = await store.database.db
      .selectFrom('provider_models')
      .select('model_id')
      .where('provider', '=', providerName)
      .where('is_active', '=', 1)
      .orderBy('model_id')
      .execute();
    return rows.map((row) => row.model_id);
  }

  it('serves a second call in the fresh window from the cache, enriched with bundled prices', async () => {
    const provider = fakeProvider([{ modelId: 'gpt-4o-mini' }, { modelId: 'ft:custom', name: 'My fine-tune' }]);
    const clock = { now: 1_000_000 };
    const catalog = setup(provider, clock);
    const first = await catalog.models({ provider: 'openai' });
    clock.now += 11 * HOUR;
    const second = await catalog.models({ provider: 'openai' });
    expect(provider.calls()).toBe(1);
    expect(second).toEqual(first);
    expect(first.find((model) => model.modelId === 'gpt-4o-mini')).toMatchObject({
      id: 'openai/gpt-4o-mini',
      name: 'GPT-4o mini',
      contextLength: 128_000,
      inputPricePerMillion: 0.15,
      outputPricePerMillion: 0.6,
    });
    expect(first.find((model) => model.modelId === 'ft:custom')).toMatchObject({ name: 'My fine-tune', inputPricePerMillion: null });
    expect(await activeIds('openai')).toEqual(['ft:custom', 'gpt-4o-mini']);
    await catalog.close();
  });

  it('serves a stale list at once while exactly one background refresh runs', async () => {
    const provider = fakeProvider([{ modelId: 'claude-haiku-4-5' }]);
    const clock = { now: 5_000_000 };
    const catalog = setup(provider, clock);
    const original = await catalog.models({ provider: 'anthropic' });
    provider.set([{ modelId: 'claude-haiku-4-5' }, { modelId: 'claude-sonnet-4-5' }]);
    clock.now += 13 * HOUR;

    provider.hold(); // the refresh cannot finish until we say so
    const during = await Promise.all(Array.from({ length: 5 }, () => catalog.models({ provider: 'anthropic' })));
    for (const list of during) expect(list).toEqual(original);
    expect(provider.calls()).toBe(2);
    provider.open();
    await catalog.idle();
    expect(provider.calls()).toBe(2);
    expect(catalog.refreshCount()).toBe(2);

    const after = await catalog.models({ provider: 'anthropic' });
    expect(after.map((model) => model.modelId)).toEqual(['claude-haiku-4-5', 'claude-sonnet-4-5']);
    expect(provider.calls()).toBe(2);
    expect(await activeIds('anthropic')).toEqual(['claude-haiku-4-5', 'claude-sonnet-4-5']);
    await catalog.close();
  });

  it('asks the provider again when the list is older than the keep window, or on a forced refresh', async () => {
    const provider = fakeProvider([{ modelId: 'grok-4' }]);
    const clock = { now: 9_000_000 };
    const catalog = setup(provider, clock);
    await catalog.models({ provider: 'xai' });
    await catalog.models({ provider: 'xai', refresh: true });
    expect(provider.calls()).toBe(2);
    clock.now += 25 * HOUR;
    await catalog.models({ provider: 'xai' });
    expect(provider.calls()).toBe(3);
    await catalog.close();
  });

  it('falls back to the stored list when the provider fails and nothing is cached', async () => {
    const provider = fakeProvider([{ modelId: 'gemini-2.5-flash' }]);
    const clock = { now: 20_000_000 };
    const catalog = setup(provider, clock);
    await catalog.models({ provider: 'gemini' });
    await cache.delete(catalogCacheKey('gemini'));
    const failing = createModelCatalog({
      cache,
      db: store.database.db,
      listFromProvider: async () => {
        throw new Error('provider down');
      },
    });
    expect((await failing.models({ provider: 'gemini' })).map((model) => model.id)).toEqual(['gemini/gemini-2.5-flash']);
    await expect(failing.models({ provider: 'never-synced' })).rejects.toThrow('provider down');
    await Promise.all([catalog.close(), failing.close()]);
  });

  it('syncs 1,000 models in one transaction, counts changes and marks removed models inactive', async () => {
    const providerName = 'bulk';
    const thousand: DriverModel[] = Array.from({ length: 1_000 }, (_, index) => ({ modelId: `model-${String(index).padStart(4, '0')}` }));
    const provider = fakeProvider(thousand);
    const catalog = setup(provider, { now: 30_000_000 });

    expect(await catalog.sync({ provider: providerName, dryRun: true })).toMatchObject({ added: 1_000, listed: 1_000, dryRun: true });
    expect(await activeIds(providerName)).toEqual([]);

    expect(await catalog.sync({ provider: providerName })).toMatchObject({ added: 1_000, updated: 0, deactivated: 0 });
    expect(await activeIds(providerName)).toHaveLength(1_000);

    // 900 stay (10 of them renamed), 100 disappear, 5 are new.
    const next: DriverModel[] = [
      ...thousand.slice(0, 900).map((model, index) => (index < 10 ? { ...model, name: `Renamed ${index}` } : model)),
      ...Array.from({ length: 5 }, (_, index) => ({ modelId: `new-${index}` })),
    ];
    provider.set(next);
    expect(await catalog.sync({ provider: providerName })).toEqual({
      provider: providerName,
      listed: 905,
      dryRun: false,
      added: 5,
      updated: 10,
      unchanged: 890,
      deactivated: 100,
    });
    const inactive = await store.database.db
      .selectFrom('provider_models')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('provider', '=', providerName)
      .where('is_active', '=', 0)
      .executeTakeFirstOrThrow();
    expect(Number(inactive.count)).toBe(100);
    // The cached list was replaced by the synced one.
    expect(await catalog.models({ provider: providerName })).toHaveLength(905);
    expect(provider.calls()).toBe(3);

    // A model coming back is reactivated and counted as updated.
    provider.set([...next, thousand[950]]);
    expect(await catalog.sync({ provider: providerName })).toMatchObject({ added: 0, updated: 1, deactivated: 0 });
    await catalog.close();
  });

  it('rolls the whole sync back when one row fails: it is one transaction', async () => {
    const providerName = 'atomic';
    const models: ModelInfo[] = Array.from({ length: 1_000 }, (_, index) => enrichModel(providerName, { modelId: `m-${index}` }));
    await syncProviderModels(store.database.db, providerName, models.slice(0, 10));
    const broken = models.map((model, index) => (index === 950 ? { ...model, name: null as unknown as string } : model));
    await expect(syncProviderModels(store.database.db, providerName, broken)).rejects.toThrow();
    // Nothing from the failed sync stuck: neither the first 900 inserts nor the deactivations.
    expect(await activeIds(providerName)).toEqual(models.slice(0, 10).map((model) => model.modelId).sort());
  });
});

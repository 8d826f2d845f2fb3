import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProviderBatchTarget, Switchyard } from '../client/types.js';
import type { ProviderBatchResult } from '../spec/batch.js';
import { SwitchyardError } from '../spec/errors.js';
import { fromOpenAIChatRequest } from '../wire/openai-wire-convert.js';
import type { BatchRequestLine } from './batch-line.js';
import { failureRecord, successRecord, type BatchOutputRecord } from './batch-records.js';
import { openJsonLineWriter, type JsonLineWriter } from './line-writer.js';
import type { ProviderBatchRow, ProviderBatchStore } from './provider-batch-store.js';

/** Options of {@link createProviderBatching}. */
export interface ProviderBatchingOptions {
  ai: Pick<Switchyard, 'providerBatch' | 'cost'>;
  store: ProviderBatchStore;
  /** Names the job in SQL: the same key on a rerun resumes its batches. */
  jobKey: string;
  /** Where group files are written before submission. Default the system temp directory. */
  directory?: string;
  /** First wait between polls, growing by half each round up to `maxPollMs`. Default 1000. */
  firstPollMs?: number;
  /** Longest wait between polls. Default 30000. */
  maxPollMs?: number;
}

/** What `finish` writes through and reports to. */
export interface ProviderBatchSink {
  write(record: BatchOutputRecord): Promise<void>;
  /** custom_ids already in OUT: their results are not written again. */
  answered: ReadonlySet<string>;
  /** Called after each record written, with its cost at the batch price (null when unknown). */
  onRecord(record: BatchOutputRecord, cost: number | null): void;
  signal?: AbortSignal;
}

/** Lines diverted to provider batch APIs during a batch run. */
export interface ProviderBatching {
  /** Takes a line (at `lineNumber` in its input) when its model's provider has a batch API: true when it is (or already was) in a provider batch. */
  claim(line: BatchRequestLine, lineNumber?: number): Promise<boolean>;
  /** Submits the groups still open. */
  flush(signal?: AbortSignal): Promise<void>;
  /** Polls each batch of the job once and writes the results of those that ended; resolves how many are still running. */
  pollOnce(sink: ProviderBatchSink): Promise<number>;
  /** Asks the provider to stop every running batch of the job. */
  cancel(): Promise<void>;
  /** `flush`, then polls every batch of the job to its end, writing the results; returns early when the signal aborts. */
  finish(sink: ProviderBatchSink): Promise<void>;
  /** Lines in provider batches whose record is not written yet. */
  pending(): number;
  /** Removes the group files. */
  close(): Promise<void>;
}

interface Group {
  target: ProviderBatchTarget;
  path: string;
  writer: JsonLineWriter;
  customIds: string[];
  lineNumbers: number[];
  bytes: number;
}

/**
 * Groups request lines by provider and model into files of the provider's
 * batch format, splitting at the provider's request and byte limits, and
 * submits each file once: its custom_ids are recorded in SQL before the
 * submission and its provider id after, so a rerun (same job key) neither
 * resubmits nor loses a batch, and resumes polling. Results stream from the
 * provider into OUT; cost is at the batch price.
 */
export function createProviderBatching(options: ProviderBatchingOptions): ProviderBatching {
  const { ai, store, jobKey } = options;
  const groups = new Map<string, Group>();
  let prepared: Promise<{ assigned: Set<string>; directory: string }> | undefined;
  // On the first claim: batches left half-submitted by a stopped run are forgotten, and the job's assigned ids read.
  const prepare = () =>
    (prepared ??= (async () => {
      await store.forgetUnsubmitted(jobKey);
      const assigned = await store.assignedCustomIds(jobKey);
      return { assigned, directory: await mkdtemp(join(options.directory ?? tmpdir(), 'switchyard-provider-batch-')) };
    })());
  let pending = 0;
  let fileCounter = 0;

  async function openGroup(target: ProviderBatchTarget): Promise<Group> {
    const { directory } = await prepare();
    const path = join(directory, `${target.provider}-${++fileCounter}.jsonl`);
    const group: Group = { target, path, writer: await openJsonLineWriter(path), customIds: [], lineNumbers: [], bytes: 0 };
    groups.set(target.model, group);
    return group;
  }

  async function submit(group: Group, signal?: AbortSignal): Promise<void> {
    groups.delete(group.target.model);
    await group.writer.close();
    const rowId = await store.reserve(jobKey, group.target.provider, group.target.model, group.customIds, group.lineNumbers);
    const { id } = await group.target.api.submit({ path: group.path, requests: group.customIds.length, signal });
    await store.submitted(rowId, id);
    await rm(group.path, { force: true });
  }


  async function collect(row: ProviderBatchRow, target: ProviderBatchTarget, status: string, sink: ProviderBatchSink): Promise<void> {
    const seen = new Set<string>();
    const written = async (record: BatchOutputRecord, cost: number | null) => {
      await sink.write(record);
      pending = Math.max(0, pending - 1);
      sink.onRecord(record, cost);
    };
    if (status !== 'failed') {
      for await (const result of target.api.results(row.provider_batch_id!, { signal: sink.signal })) {
        if (seen.has(result.customId) || sink.answered.has(result.customId)) continue;
        seen.add(result.customId);
        const [record, cost] = toRecord(result, row);
        await written(record, cost);
      }
    }
    for await (const customId of store.customIdsOf(row.id)) {
      if (seen.has(customId) || sink.answered.has(customId)) continue;
      const error = new SwitchyardError({ code: 'upstream_error', provider: row.provider, message: `${row.provider} batch ${row.provider_batch_id} ${status} without a result for this request` });
      await written(failureRecord(customId, randomUUID(), error), null);
    }
    await store.collected(row.id);
  }

  function targetFor(row: ProviderBatchRow): ProviderBatchTarget {
    const target = targetOf(ai, row.model);
    if (target === undefined) throw new SwitchyardError({ code: 'invalid_config', message: `provider batch ${row.provider_batch_id} ran on ${row.model}, which has no batch API in this configuration` });
    return target;
  }

  async function flush(signal?: AbortSignal): Promise<void> {
    for (const group of [...groups.values()]) {
      if (signal?.aborted) return;
      await submit(group, signal);
    }
  }

  async function pollOnce(sink: ProviderBatchSink): Promise<number> {
    let running = 0;
    for (const row of await store.pending(jobKey)) {
      if (sink.signal?.aborted) return running + 1;
      if (row.provider_batch_id === null) continue; // being submitted by another run
      const target = targetFor(row);
      const state = await target.api.poll(row.provider_batch_id, { signal: sink.signal });
      await store.polled(row.id, state);
      if (state.status === 'in_progress') running += 1;
      else await collect(row, target, state.status, sink);
    }
    return running;
  }

  function toRecord(result: ProviderBatchResult, row: ProviderBatchRow): [BatchOutputRecord, number | null] {
    const requestId = randomUUID();
    if ('error' in result) return [failureRecord(result.customId, requestId, result.error), null];
    const { result: generated } = result;
    const cost = ai.cost(generated.usage, row.model, { batch: true });
    const response = { ...generated, provider: row.provider, model: row.model, cost, latencyMs: 0, cache: 'bypass' as const };
    return [successRecord(result.customId, requestId, response), cost];
  }

  return {
    async claim(line, lineNumber = 0) {
      const batchable = encodeForProviderBatch(ai, line);
      if (batchable === undefined) return false;
      const { target, encoded } = batchable;
      const { assigned } = await prepare();
      if (assigned.has(line.customId)) {
        pending += 1;
        return true;
      }
      const bytes = Buffer.byteLength(encoded) + 1;
      let group = groups.get(target.model) ?? (await openGroup(target));
      const { maxRequests, maxBytes } = target.api.limits;
      if (group.customIds.length > 0 && (group.customIds.length + 1 > maxRequests || group.bytes + bytes > maxBytes)) {
        await submit(group);
        group = await openGroup(target);
      }
      await group.writer.writeRaw(`${encoded}\n`);
      group.customIds.push(line.customId);
      group.lineNumbers.push(lineNumber);
      group.bytes += bytes;
      pending += 1;
      return true;
    },
    flush,
    pollOnce,
    async cancel() {
      for (const row of await store.pending(jobKey)) {
        if (row.provider_batch_id !== null) await targetFor(row).api.cancel(row.provider_batch_id);
      }
    },
    async finish(sink) {
      try {
        await flush(sink.signal);
        let wait = options.firstPollMs ?? 1_000;
        while (!sink.signal?.aborted && (await pollOnce(sink)) > 0) {
          try {
            await sleep(wait, undefined, { signal: sink.signal });
          } catch {
            return;
          }
          wait = Math.min(wait * 1.5, options.maxPollMs ?? 30_000);
        }
      } catch (error) {
        // An interrupt that lands while a submit or poll is on the wire is an interrupt, not a failure: the next run resumes.
        if (sink.signal?.aborted) return;
        throw error;
      }
    },
    pending: () => pending,
    async close() {
      await Promise.all([...groups.values()].map((group) => group.writer.close().catch(() => undefined)));
      const directory = prepared && (await prepared.catch(() => undefined))?.directory;
      if (directory) await rm(directory, { recursive: true, force: true });
    },
  };
}

function targetOf(ai: Pick<Switchyard, 'providerBatch'>, model: string): ProviderBatchTarget | undefined {
  try {
    return ai.providerBatch(model);
  } catch {
    return undefined; // an unknown model: the direct path writes its error record
  }
}

/**
 * The line in its provider's batch format, when its model's provider has a
 * batch API and can take the request; undefined when the line must run
 * directly (which also reports any error in it). Deterministic, so separate
 * workers agree on which lines a provider batch holds.
 */
export function encodeForProviderBatch(ai: Pick<Switchyard, 'providerBatch'>, line: BatchRequestLine): { target: ProviderBatchTarget; encoded: string } | undefined {
  const target = targetOf(ai, line.body.model);
  if (target === undefined) return undefined;
  try {
    return { target, encoded: target.api.encodeRequest(line.customId, { ...fromOpenAIChatRequest(line.body), modelId: target.modelId }) };
  } catch {
    return undefined;
  }
}

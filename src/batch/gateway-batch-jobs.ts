import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { Switchyard } from '../client/types.js';
import { fromOpenAIChatRequest } from '../wire/openai-wire-convert.js';
import { parseBatchLine, type ParsedBatchLine } from './batch-line.js';
import { linesOfPiece, type BatchFileStore } from './batch-file-store.js';
import type { BatchJob, BatchJobHandler, BatchJobQueue } from './batch-job-queue.js';
import type { BatchLineGate, BatchOwner } from './batch-line-gate.js';
import { failureRecord, inputErrorRecord, successRecord, type BatchOutputRecord } from './batch-records.js';
import type { GatewayBatchStore } from './gateway-batch-store.js';
import type { ProviderBatchStore } from './provider-batch-store.js';
import { createProviderBatching, encodeForProviderBatch } from './provider-batching.js';

/** What the batch jobs work with. */
export interface BatchJobDependencies {
  ai: Pick<Switchyard, 'chat' | 'providerBatch' | 'cost'>;
  files: BatchFileStore;
  batches: GatewayBatchStore;
  providerBatches: ProviderBatchStore;
  queue: BatchJobQueue;
  /** Requests in flight at once in this worker, over all its jobs. */
  concurrency: number;
  /** Seconds between polls of a batch's provider batches. */
  pollSeconds: number;
  /** The gateway's key limits for the lines (absent: lines run unlimited). */
  gate?: BatchLineGate;
}

/** A line of an input piece, with its 1-based number in the file. */
interface NumberedLine {
  lineNumber: number;
  parsed: ParsedBatchLine;
}

/** The results key of an input line without a usable custom_id. */
const keyOf = (line: NumberedLine) => line.parsed.customId ?? `#line-${line.lineNumber}`;

/** The SQL key of a gateway batch's provider batches. */
export const providerJobKey = (batchId: string) => `gateway:${batchId}`;

/** The batch's owner, whose key's limits apply to its lines. */
const ownerOf = (batch: { tenant: string; key_id: string | null }): BatchOwner => ({ tenant: batch.tenant, keyId: batch.key_id });

/** The usage of an OpenAI chat.completion body (a provider batch's result), in the client's terms. */
function usageOfBody(body: unknown): { model: string; usage: { inputTokens: number; outputTokens: number; totalTokens: number } } | undefined {
  const { model, usage } = (body ?? {}) as { model?: unknown; usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } };
  if (typeof model !== 'string' || typeof usage?.prompt_tokens !== 'number' || typeof usage.completion_tokens !== 'number') return undefined;
  return { model, usage: { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens, totalTokens: usage.prompt_tokens + usage.completion_tokens } };
}

/**
 * The batch jobs: `start` reads the input once, writes input errors (and
 * lines for models the owner's key may not use), sends the lines whose
 * model's provider has a batch API to it (grouped by model), and queues one
 * `piece` job per input piece and a `poll` job; `piece` runs a piece's other
 * lines through the client (cache, retries, fallbacks of the normal path),
 * each admitted through the owner's key limits and budget by the `gate` and
 * settled with its usage: a line refused by a full rate limit ends the job
 * early and the piece is queued again for when the limit frees room, a line
 * that may never run (budget spent, model not allowed) gets its error as
 * result; `poll` polls the provider batches and writes their results (their
 * spend recorded). Every job may run twice (a lost worker's job is retried):
 * results are written once per custom_id and lines already answered are not
 * run again. The last job to finish writes the output and error files.
 */
export function createBatchJobHandler(dependencies: BatchJobDependencies): BatchJobHandler {
  const { ai, files, batches, providerBatches, queue, gate } = dependencies;
  const limit = pLimit(dependencies.concurrency);

  async function readPiece(fileId: string, seq: number): Promise<NumberedLine[]> {
    const piece = await files.piece(fileId, seq);
    if (piece === undefined) return [];
    return linesOfPiece(piece).map(({ lineNumber, text }) => ({ lineNumber, parsed: parseBatchLine(text, lineNumber) }));
  }

  function write(batchId: string, key: string, lineNumber: number, record: BatchOutputRecord): Promise<boolean> {
    return batches.writeResult(batchId, key, lineNumber, record.error !== null, record);
  }

  async function start(batchId: string): Promise<void> {
    const batch = await batches.find(batchId);
    if (batch === undefined || (batch.status !== 'validating' && batch.status !== 'in_progress')) return finalize(batchId);
    const pieces = await files.pieces(batch.input_file_id);
    const batching = createProviderBatching({ ai, store: providerBatches, jobKey: providerJobKey(batchId) });
    let total = 0;
    try {
      for (const piece of pieces) {
        for (const line of await readPiece(batch.input_file_id, piece.seq)) {
          total += 1;
          const { parsed } = line;
          if (parsed.kind === 'invalid') {
            await write(batchId, keyOf(line), line.lineNumber, inputErrorRecord(parsed.customId, line.lineNumber, parsed.message, parsed.param));
            continue;
          }
          const refusal = gate && (await gate.refusal(ownerOf(batch), parsed.body.model));
          if (refusal) await write(batchId, parsed.customId, line.lineNumber, failureRecord(parsed.customId, randomUUID(), refusal));
          else await batching.claim(parsed, line.lineNumber);
        }
      }
      await batching.flush();
    } finally {
      await batching.close();
    }
    await batches.start(batchId, total, pieces.map((piece) => piece.seq));
    for (const piece of pieces) await queue.send({ kind: 'piece', batchId, seq: piece.seq });
    if ((await providerBatches.pending(providerJobKey(batchId))).length > 0) await queue.send({ kind: 'poll', batchId }, { delaySeconds: dependencies.pollSeconds });
    await finalize(batchId);
  }

  async function piece(batchId: string, seq: number): Promise<void> {
    const batch = await batches.find(batchId);
    if (batch === undefined) return;
    if (batch.status === 'in_progress') {
      const lines = (await readPiece(batch.input_file_id, seq)).filter(
        (line) => line.parsed.kind === 'request' && encodeForProviderBatch(ai, line.parsed) === undefined,
      );
      const answered = await batches.answered(batchId, lines.map(keyOf));
      const owner = ownerOf(batch);
      // Set when a rate limit refuses a line: the lines not started yet wait for the piece's next run.
      let laterMs: number | undefined;
      await Promise.all(
        lines
          .filter((line) => !answered.has(keyOf(line)))
          .map((line) =>
            limit(async () => {
              if (line.parsed.kind !== 'request' || laterMs !== undefined) return;
              const { customId, body } = line.parsed;
              const requestId = randomUUID();
              const admission = gate ? await gate.admit(owner, body) : undefined;
              if (admission?.kind === 'later') {
                laterMs = Math.max(laterMs ?? 0, admission.retryAfterMs);
                return;
              }
              let record: BatchOutputRecord;
              if (admission?.kind === 'refused') record = failureRecord(customId, requestId, admission.error);
              else {
                try {
                  const response = await ai.chat({ ...fromOpenAIChatRequest(body), model: body.model, requestId, tenant: batch.tenant });
                  await admission?.settle({ model: response.model, usage: response.usage, cost: response.cost, cacheHit: response.cache.startsWith('hit-') });
                  record = successRecord(customId, requestId, response);
                } catch (error) {
                  await admission?.settle(undefined);
                  record = failureRecord(customId, requestId, error);
                }
              }
              await write(batchId, customId, line.lineNumber, record);
            }),
          ),
      );
      if (laterMs !== undefined) {
        // The piece runs again once the limit has room; its answered lines are skipped then.
        await queue.send({ kind: 'piece', batchId, seq }, { delaySeconds: Math.max(laterMs, 100) / 1000 });
        return;
      }
    }
    await batches.pieceDone(batchId, seq);
    await finalize(batchId);
  }

  async function poll(batchId: string): Promise<void> {
    const batch = await batches.find(batchId);
    if (batch === undefined) return;
    const batching = createProviderBatching({ ai, store: providerBatches, jobKey: providerJobKey(batchId) });
    try {
      if (batch.status === 'cancelling') await batching.cancel();
      let fresh = false; // whether the last record was written now (a poll run twice writes nothing twice, and records no spend twice)
      const running = await batching.pollOnce({
        write: async (record) => {
          fresh = await write(batchId, record.custom_id!, 0, record);
        },
        answered: new Set(),
        onRecord: (record, cost) => {
          const used = fresh && record.error === null ? usageOfBody(record.response?.body) : undefined;
          if (gate && used) gate.record(ownerOf(batch), { ...used, cost, cacheHit: false }).catch(() => undefined);
        },
      });
      if (running > 0) await queue.send({ kind: 'poll', batchId }, { delaySeconds: dependencies.pollSeconds });
    } finally {
      await batching.close();
    }
    await finalize(batchId);
  }

  /** Writes the output and error files once no piece and no provider batch is left; one worker wins. */
  async function finalize(batchId: string): Promise<void> {
    const batch = await batches.find(batchId);
    if (batch === undefined || !['in_progress', 'cancelling', 'finalizing'].includes(batch.status)) return;
    if ((await batches.openPieces(batchId)).length > 0) return;
    if ((await providerBatches.pending(providerJobKey(batchId))).length > 0) return;
    const cancelled = batch.status === 'cancelling';
    if (batch.status === 'in_progress' && !(await batches.transition(batchId, 'in_progress', 'finalizing', { finalizing_at: Date.now() }))) return;
    // Provider batches' results were written without their input lines: give them theirs, so the files list results in input order.
    await batches.numberProviderResults(batchId, providerJobKey(batchId));
    const output = await files.createResultFile(batch.tenant, batchId, 'output');
    const errors = await files.createResultFile(batch.tenant, batchId, 'error');
    const fields = { output_file_id: output?.id ?? null, error_file_id: errors?.id ?? null };
    if (cancelled) await batches.transition(batchId, 'cancelling', 'cancelled', { ...fields, cancelled_at: Date.now() });
    else await batches.transition(batchId, 'finalizing', 'completed', { ...fields, completed_at: Date.now() });
  }

  return async (job: BatchJob) => {
    if (job.kind === 'start') return start(job.batchId);
    if (job.kind === 'piece') return piece(job.batchId, job.seq);
    return poll(job.batchId);
  };
}

/** Queues the remaining work of every unfinished batch: what an in-process worker does when it starts. */
export async function resumeUnfinished(batches: GatewayBatchStore, providerBatches: ProviderBatchStore, queue: BatchJobQueue): Promise<void> {
  for (const batchId of await batches.unfinished()) {
    const batch = await batches.find(batchId);
    if (batch === undefined) continue;
    if (batch.status === 'validating') {
      await queue.send({ kind: 'start', batchId });
      continue;
    }
    for (const seq of await batches.openPieces(batchId)) await queue.send({ kind: 'piece', batchId, seq });
    if ((await providerBatches.pending(providerJobKey(batchId))).length > 0 || batch.status === 'finalizing') await queue.send({ kind: 'poll', batchId });
  }
}

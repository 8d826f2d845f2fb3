/** A unit of batch work: read and split a batch's input, run one input piece's lines, or poll its provider batches. */
export type BatchJob = { kind: 'start'; batchId: string } | { kind: 'piece'; batchId: string; seq: number } | { kind: 'poll'; batchId: string };

/** Runs jobs; a handler that throws has its job retried. */
export type BatchJobHandler = (job: BatchJob) => Promise<void>;

/**
 * Where batch jobs wait: pg-boss on PostgreSQL (shared by every worker, durable,
 * retried after a lost worker) or an in-process queue (the embedded SQLite
 * default, where one process runs its batches as before).
 */
export interface BatchJobQueue {
  /** Queues a job, to start after `delaySeconds` when given. */
  send(job: BatchJob, options?: { delaySeconds?: number }): Promise<void>;
  /** Starts taking jobs: up to `slots` at once. */
  work(handler: BatchJobHandler, slots: number): Promise<void>;
  /** Stops taking jobs, waits for those running, and closes. */
  stop(): Promise<void>;
}

/** Attempts of a job in the in-process queue before it is dropped (its batch is then left for a restart to resume). */
const IN_PROCESS_ATTEMPTS = 3;

/**
 * The in-process queue: jobs in memory, run by this process only. Durability
 * comes from SQL: a restarted worker re-queues every unfinished batch's
 * remaining work (see `resumeUnfinished`).
 */
export function createInProcessQueue(): BatchJobQueue {
  const waiting: Array<{ job: BatchJob; attempt: number }> = [];
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let handler: BatchJobHandler | undefined;
  let slots = 0;
  let stopped = false;

  function pump(): void {
    while (!stopped && handler !== undefined && running.size < slots && waiting.length > 0) {
      const entry = waiting.shift()!;
      const task: Promise<void> = handler(entry.job)
        .catch(() => {
          if (entry.attempt + 1 < IN_PROCESS_ATTEMPTS) later({ job: entry.job, attempt: entry.attempt + 1 }, 1);
        })
        .finally(() => {
          running.delete(task);
          pump();
        });
      running.add(task);
    }
  }

  function later(entry: { job: BatchJob; attempt: number }, delaySeconds: number): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      waiting.push(entry);
      pump();
    }, delaySeconds * 1000);
    timer.unref();
    timers.add(timer);
  }

  return {
    async send(job, options = {}) {
      if (stopped) return;
      if (options.delaySeconds) later({ job, attempt: 0 }, options.delaySeconds);
      else {
        waiting.push({ job, attempt: 0 });
        pump();
      }
    },
    async work(work, count) {
      handler = work;
      slots = count;
      pump();
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}

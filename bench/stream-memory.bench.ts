import { formatMiB, formatNumber, numberFlag, printSection, renderTable, type BenchSuite } from './bench-harness.js';
import { startUpstreamChild } from './bench-servers.js';
import { benchFile, spawnChild } from './child-process.js';
import type { StreamConsumer, StreamMemoryReport } from './stream-memory-worker.js';

/*
 * Suite 3, streaming memory: a 50 MiB streamed completion from the fake
 * upstream, consumed by the openai SDK and by the Switchyard client, each in a
 * fresh process (bench/stream-memory-worker.ts) so earlier suites leave no heap
 * behind. A control consumer that keeps every delta shows the method would see
 * a leak.
 */

const CONSUMERS: { consumer: StreamConsumer; name: string }[] = [
  { consumer: 'openai-sdk', name: 'openai SDK stream' },
  { consumer: 'switchyard', name: 'switchyard stream (cache off)' },
  { consumer: 'switchyard-cache-on', name: 'switchyard stream (cache on, temperature 0)' },
  { consumer: 'control-keeps-text', name: 'control: switchyard, consumer keeps every delta' },
];

const WORKER_TIMEOUT_MS = 120_000;

async function runWorker(consumer: StreamConsumer, url: string): Promise<StreamMemoryReport> {
  const worker = spawnChild({
    name: `stream-memory worker (${consumer})`,
    args: ['--expose-gc', '--import', 'tsx', benchFile('./stream-memory-worker.ts'), JSON.stringify({ consumer, url })],
    ipc: true,
  });
  try {
    const message = await worker.waitForMessage<{ report: StreamMemoryReport }>('report', WORKER_TIMEOUT_MS);
    return message.report;
  } finally {
    await worker.stop();
  }
}

/** Suite 3: memory while streaming a huge answer, Switchyard next to the openai SDK. */
export const streamMemorySuite: BenchSuite = {
  name: 'stream-memory',
  description: 'memory growth while consuming a 50 MiB streamed completion (each consumer in a fresh process)',
  async run(settings) {
    const megabytes = numberFlag(settings.argv, 'stream-mib', settings.quick ? 20 : 50);
    const upstream = await startUpstreamChild({ hugeStreamBytes: megabytes * 1024 * 1024 });
    const reports: { name: string; report: StreamMemoryReport }[] = [];
    try {
      for (const { consumer, name } of CONSUMERS) reports.push({ name, report: await runWorker(consumer, upstream.url) });
    } finally {
      await upstream.stop();
    }
    const table = renderTable(
      ['consumer', 'received', 'deltas', 'MiB/s', 'peak RSS growth', 'peak heap growth', 'retained heap after GC'],
      reports.map(({ name, report }) => [
        name,
        formatMiB(report.receivedChars),
        formatNumber(report.deltas),
        (report.receivedChars / (1024 * 1024) / report.seconds).toFixed(1),
        formatMiB(report.peakRssGrowth),
        formatMiB(report.peakHeapGrowth),
        formatMiB(report.retainedHeapGrowth),
      ]),
    );
    printSection(`stream-memory: one ${megabytes} MiB streamed completion per consumer`, table, [
      'Growth is measured from a baseline taken after a warm-up call and a forced GC, sampled every MiB received; ' +
        '"retained" is the heap right after a forced GC every 8 MiB, i.e. what the stream path holds on to.',
    ]);
    const sdk = reports.find(({ report }) => report.consumer === 'openai-sdk')?.report;
    const switchyard = reports.find(({ report }) => report.consumer === 'switchyard')?.report;
    const cached = reports.find(({ report }) => report.consumer === 'switchyard-cache-on')?.report;
    const ratios = [];
    if (sdk && switchyard) {
      ratios.push({
        suite: 'stream-memory',
        label: 'openai SDK / switchyard peak RSS growth, cache off',
        value: sdk.peakRssGrowth / Math.max(1, switchyard.peakRssGrowth),
        note: '> 1: Switchyard grows less',
      });
      ratios.push({
        suite: 'stream-memory',
        label: 'switchyard / openai SDK stream throughput (MiB/s)',
        value: switchyard.receivedChars / switchyard.seconds / (sdk.receivedChars / sdk.seconds),
        note: '> 1: Switchyard faster',
      });
    }
    if (sdk && cached) {
      ratios.push({
        suite: 'stream-memory',
        label: 'openai SDK / switchyard peak RSS growth, cache on',
        value: sdk.peakRssGrowth / Math.max(1, cached.peakRssGrowth),
        note: '> 1: Switchyard grows less',
      });
    }
    return { ratios };
  },
};

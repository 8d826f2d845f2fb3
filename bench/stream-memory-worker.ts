// A child process of the streaming-memory suite: consumes one huge streamed
// completion with one consumer and reports memory and speed over IPC.
// Run with --expose-gc. argv[2] is JSON: { consumer, url }.
import OpenAI from 'openai';
import { createSwitchyard } from '../src/client/create-switchyard.js';
import { launcherOptions } from './child-ipc.js';
import { switchyardOptionsFor } from './bench-servers.js';

/** The consumers the suite compares. */
export type StreamConsumer = 'openai-sdk' | 'switchyard' | 'switchyard-cache-on' | 'control-keeps-text';

/** What the worker reports. */
export interface StreamMemoryReport {
  consumer: StreamConsumer;
  receivedChars: number;
  deltas: number;
  seconds: number;
  /** Peak RSS minus RSS before the stream, sampled every MiB received. */
  peakRssGrowth: number;
  /** Peak heapUsed minus heapUsed before the stream, same samples, no forced GC. */
  peakHeapGrowth: number;
  /** The largest heapUsed growth right after a forced GC (every 8 MiB): what the stream path retains. */
  retainedHeapGrowth: number;
}

const SAMPLE_EVERY = 1024 * 1024;
const COLLECT_EVERY = 8 * 1024 * 1024;
const { consumer, url } = launcherOptions<{ consumer: StreamConsumer; url: string }>();
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('run the stream-memory worker with --expose-gc');

const messages = [{ role: 'user' as const, content: 'Stream me a very long answer.' }];
const warmupMessages = [{ role: 'user' as const, content: 'warm up' }];

async function* textDeltas(): AsyncGenerator<string> {
  if (consumer === 'openai-sdk') {
    const client = new OpenAI({ apiKey: 'sk-bench', baseURL: url });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: warmupMessages });
    yield '';
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const chunk of stream) yield chunk.choices[0]?.delta?.content ?? '';
    return;
  }
  const cache = consumer === 'switchyard-cache-on';
  const ai = createSwitchyard({ ...switchyardOptionsFor(url, { cache }), databaseUrl: ':memory:' });
  try {
    await ai.chat({ model: 'gpt-4o-mini', messages: warmupMessages, temperature: 0 });
    yield '';
    for await (const part of ai.stream({ model: 'gpt-4o-mini', messages, ...(cache ? { temperature: 0 } : {}) })) {
      if (part.type === 'text-delta') yield part.text;
    }
  } finally {
    await ai.close();
  }
}

const kept: string[] = [];
let baselineRss = 0;
let baselineHeap = 0;
let peakRss = 0;
let peakHeap = 0;
let retained = 0;
let received = 0;
let deltas = 0;
let nextSample = SAMPLE_EVERY;
let nextCollect = COLLECT_EVERY;
let started = 0;

for await (const text of textDeltas()) {
  if (started === 0) {
    // The first (empty) value comes after the warm-up call: take the baseline here.
    collect();
    ({ rss: baselineRss, heapUsed: baselineHeap } = process.memoryUsage());
    peakRss = baselineRss;
    peakHeap = baselineHeap;
    started = performance.now();
    continue;
  }
  received += text.length;
  deltas += 1;
  if (consumer === 'control-keeps-text') kept.push(text);
  if (received >= nextSample) {
    nextSample += SAMPLE_EVERY;
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  }
  if (received >= nextCollect) {
    nextCollect += COLLECT_EVERY;
    collect();
    retained = Math.max(retained, process.memoryUsage().heapUsed - baselineHeap);
  }
}
const seconds = (performance.now() - started) / 1000;
const usage = process.memoryUsage();
peakRss = Math.max(peakRss, usage.rss);

const report: StreamMemoryReport = {
  consumer,
  receivedChars: received,
  deltas,
  seconds,
  peakRssGrowth: peakRss - baselineRss,
  peakHeapGrowth: Math.max(peakHeap, usage.heapUsed) - baselineHeap,
  retainedHeapGrowth: retained,
};
// Exit once the report is on its way (the open IPC channel would keep the process alive).
if (process.send) process.send({ type: 'report', report, keptDeltas: kept.length }, () => process.exit(0));
else console.log(JSON.stringify(report));

import OpenAI from 'openai';
import { Agent, request } from 'undici';
import { createSwitchyard } from '../src/client/create-switchyard.js';
import type { Switchyard } from '../src/client/types.js';
import {
  describeError,
  measureCalls,
  numberFlag,
  printSection,
  renderMeasurements,
  type BenchSuite,
  type Measurement,
  type SummaryRatio,
} from './bench-harness.js';
import { startUpstreamChild, switchyardOptionsFor, type UpstreamChild } from './bench-servers.js';

/*
 * Suite 1, client overhead: the same chat completion through plain undici
 * (the floor), the official openai SDK, and the Switchyard client (cache off,
 * then cache hits), all against the fake upstream in its own process.
 */

const MODEL = 'gpt-4o-mini';
const MESSAGES = [
  { role: 'system' as const, content: 'You are a terse assistant.' },
  { role: 'user' as const, content: 'Name three prime numbers and say which one is even.' },
];
const SDK = 'openai SDK direct';

interface Contender {
  name: string;
  call: () => Promise<unknown>;
  /** Zeroes the contender's own counters after the warm-up. */
  resetCounts?: () => void;
  /** Checked after the timed run: a description of anything wrong, or undefined. */
  check?: (calls: number, upstreamCalls: number) => string | undefined;
  close: () => Promise<void>;
}

function undiciFloor(upstream: UpstreamChild): Contender {
  const dispatcher = new Agent({ connections: 128 });
  const url = `${upstream.url}/chat/completions`;
  const body = JSON.stringify({ model: MODEL, messages: MESSAGES });
  return {
    name: 'undici.request (floor)',
    async call() {
      const response = await request(url, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
        body,
      });
      const parsed = (await response.body.json()) as { choices?: unknown[] };
      if (response.statusCode !== 200 || !parsed.choices) throw new Error(`status ${response.statusCode}`);
    },
    close: () => dispatcher.close(),
  };
}

function openAISdk(upstream: UpstreamChild): Contender {
  const client = new OpenAI({ apiKey: 'sk-bench', baseURL: upstream.url });
  return {
    name: SDK,
    call: () => client.chat.completions.create({ model: MODEL, messages: MESSAGES }),
    close: async () => undefined,
  };
}

interface SwitchyardVariant {
  name: string;
  cache: boolean;
  monitoring: boolean;
  /** Upstream connection-pool size; default the provider default (128). */
  maxConnections?: number;
}

function switchyardClient(upstream: UpstreamChild, variant: SwitchyardVariant): Contender {
  const options = switchyardOptionsFor(upstream.url, variant);
  const ai: Switchyard = createSwitchyard({ ...options, databaseUrl: ':memory:' });
  let hits = 0;
  return {
    name: variant.name,
    async call() {
      const response = await ai.chat({ model: MODEL, messages: MESSAGES, ...(variant.cache ? { temperature: 0 } : {}) });
      if (response.cache.startsWith('hit')) hits += 1;
    },
    resetCounts: () => {
      hits = 0;
    },
    check: (calls, upstreamCalls) => {
      if (!variant.cache) return hits === 0 && upstreamCalls === calls ? undefined : `${hits} cache hits, ${upstreamCalls} upstream calls`;
      return upstreamCalls === 0 && hits === calls ? undefined : `${calls - hits} of ${calls} calls missed the cache`;
    },
    close: () => ai.close(),
  };
}

const SWITCHYARD_VARIANTS: SwitchyardVariant[] = [
  { name: 'switchyard (cache off)', cache: false, monitoring: true },
  { name: 'switchyard (cache off, monitoring off)', cache: false, monitoring: false },
  { name: 'switchyard (cache hits)', cache: true, monitoring: true },
];

function contenders(upstream: UpstreamChild): Contender[] {
  return [undiciFloor(upstream), openAISdk(upstream), ...SWITCHYARD_VARIANTS.map((variant) => switchyardClient(upstream, variant))];
}

async function measureOnce(contender: Contender, upstream: UpstreamChild, calls: number, concurrency: number): Promise<Measurement> {
  const measurement = await measureCalls({
    name: contender.name,
    calls,
    concurrency,
    call: contender.call,
    afterWarmup: async () => {
      contender.resetCounts?.();
      await upstream.reset();
    },
  });
  const upstreamCalls = (await upstream.stats()).requests;
  const problem = contender.check?.(calls - measurement.errors, upstreamCalls);
  measurement.extra = { ...measurement.extra, 'upstream calls': upstreamCalls, ...(problem ? { problem } : {}) };
  return measurement;
}

/** The round with the median throughput (rounds interleave the contenders, so drift in machine load hits all alike). */
function medianRound(rounds: Measurement[]): Measurement {
  const sorted = [...rounds].sort((left, right) => left.requestsPerSecond - right.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measureAll(upstream: UpstreamChild, calls: number, concurrency: number, rounds: number): Promise<Measurement[]> {
  const all = contenders(upstream);
  const measured = new Map<Contender, Measurement[]>(all.map((contender) => [contender, []]));
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (const contender of all) {
        const measurement = await measureOnce(contender, upstream, calls, concurrency).catch(
          (error: unknown): Measurement => ({
            name: contender.name,
            calls: 0,
            errors: calls,
            requestsPerSecond: 0,
            p50Ms: Number.NaN,
            p99Ms: Number.NaN,
            extra: { problem: describeError(error).split('\n')[0].slice(0, 160) },
          }),
        );
        measured.get(contender)!.push(measurement);
      }
    }
  } finally {
    await Promise.all(all.map((contender) => contender.close()));
  }
  return all.map((contender) => medianRound(measured.get(contender)!));
}

function ratiosOf(results: Measurement[], label: string): SummaryRatio[] {
  const sdk = results.find((result) => result.name === SDK);
  if (!sdk) return [];
  return results
    .filter((result) => result.name.startsWith('switchyard'))
    .map((result) => ({
      suite: 'client-overhead',
      label: `${result.name} / SDK req/s, ${label}`,
      value: result.requestsPerSecond / sdk.requestsPerSecond,
    }));
}

/** Suite 1: the library's per-call overhead next to the openai SDK. */
export const clientOverheadSuite: BenchSuite = {
  name: 'client-overhead',
  description: 'chat calls through undici, the openai SDK and the Switchyard client, against the fake upstream',
  async run(settings) {
    const calls = numberFlag(settings.argv, 'calls', settings.quick ? 300 : 4000);
    const rounds = Math.max(1, numberFlag(settings.argv, 'rounds', settings.quick ? 1 : 3));
    const slowMs = numberFlag(settings.argv, 'upstream-latency', 50);
    const upstream = await startUpstreamChild();
    const ratios: SummaryRatio[] = [];
    try {
      for (const concurrency of [1, 32]) {
        const results = await measureAll(upstream, calls, concurrency, rounds);
        printSection(
          `client-overhead: ${calls} calls, concurrency ${concurrency}, upstream latency 0 ms (median of ${rounds} interleaved rounds)`,
          renderMeasurements(results, SDK),
        );
        ratios.push(...ratiosOf(results, `C=${concurrency}, 0 ms upstream`));
      }
      await upstream.configure({ latencyMs: slowMs });
      const slowCalls = Math.min(calls, 2000);
      const slow = await measureAll(upstream, slowCalls, 32, 1);
      printSection(`client-overhead: ${slowCalls} calls, concurrency 32, upstream latency ${slowMs} ms`, renderMeasurements(slow, SDK), [
        `(at ${slowMs} ms the ceiling is 32 / ${slowMs} ms = ${Math.round(32_000 / Math.max(1, slowMs))} req/s for anything that calls the upstream)`,
      ]);
      ratios.push(...ratiosOf(slow, `C=32, ${slowMs} ms upstream`));
    } finally {
      await upstream.stop();
    }
    for (const ratio of ratios) ratio.note = '> 1: Switchyard faster than the SDK';
    return { ratios };
  },
};

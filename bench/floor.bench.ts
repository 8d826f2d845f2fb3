import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { InMemoryCache } from '@langchain/core/caches';
import { ChatOpenAI } from '@langchain/openai';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import type { createSwitchyard as CreateSwitchyard } from '../src/client/create-switchyard.js';
import { builtClient } from './built-package.js';
import { formatMiB, formatMs, formatNumber, formatRatio, measureCalls, numberFlag, percentile, printSection, renderTable, type BenchSuite, type SummaryRatio } from './bench-harness.js';
import { startSwitchyardGatewayChild, startUpstreamChild, switchyardOptionsFor, type UpstreamChild } from './bench-servers.js';
import { benchFile, spawnChild, type RunningChild } from './child-process.js';
import { cpuSeconds, peakRssBytes } from './process-usage.js';

/*
 * Suite `floor` (issue 9): Switchyard next to the thinnest thing Node can do,
 * in the same run, so every figure is a ratio read off one run.
 * - Gateway: the Switchyard gateway (production profile, every request a
 *   miss, monitoring on) next to a Fastify 5 + undici `request()` gateway
 *   (bench/launch-floor-gateway.ts), each in its own process, against the
 *   same fake upstream: CPU per request and req/s at 16 connections,
 *   streamed and not; first byte with chunks 20 ms apart at 1 connection;
 *   peak RSS at 64 connections.
 * - Library: `createSwitchyard({ providers })` as a user creates it (no
 *   environment, the compiled package from dist/) next to raw undici `request()`, misses at concurrency 16;
 *   cache hits next to LangChain's InMemoryCache behind ChatOpenAI, and the
 *   heap retained over 20,000 hits.
 */

const MODEL = 'gpt-4o-mini';
const MESSAGES = [
  { role: 'system' as const, content: 'You are a terse assistant.' },
  { role: 'user' as const, content: 'Name three prime numbers and say which one is even.' },
];
/** The upstream's reply: 20 words, streamed as 20 text chunks. */
const REPLY = Array.from({ length: 20 }, (_, index) => `word${index}`).join(' ');

function gatewayBody(stream: boolean): string {
  return JSON.stringify({ model: MODEL, temperature: 0, messages: MESSAGES, ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) });
}

interface GatewayTarget {
  name: string;
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

async function startFloorGateway(upstream: UpstreamChild): Promise<GatewayTarget> {
  const child: RunningChild = spawnChild({
    name: 'fastify + undici floor',
    args: ['--import', 'tsx', benchFile('./launch-floor-gateway.ts'), JSON.stringify({ upstream: upstream.url })],
    env: { NODE_ENV: 'production' },
    ipc: true,
  });
  const { url } = await child.waitForMessage<{ url: string }>('ready', 30_000);
  return { name: 'fastify + undici (floor)', url, pid: child.process.pid, stop: () => child.stop() };
}

async function startSwitchyardGateway(upstream: UpstreamChild): Promise<GatewayTarget> {
  const gateway = await startSwitchyardGatewayChild({ name: 'switchyard gateway', switchyard: switchyardOptionsFor(upstream.url, { cache: false, monitoring: true }) });
  return { name: 'switchyard gateway (miss, monitoring on)', url: gateway.url, pid: gateway.child.process.pid, stop: () => gateway.stop() };
}

interface LoadFigures {
  requestsPerSecond: number;
  cpuMsPerRequest: number;
  failures: number;
}

async function loadGateway(target: GatewayTarget, stream: boolean, connections: number, duration: number): Promise<LoadFigures> {
  const options = {
    url: `${target.url}/v1/chat/completions`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: gatewayBody(stream),
    connections,
    timeout: 10,
  };
  await autocannon({ ...options, duration: 1 });
  const before = (await cpuSeconds(target.pid)) ?? 0;
  const result = await autocannon({ ...options, duration });
  const after = (await cpuSeconds(target.pid)) ?? 0;
  const served = result['2xx'];
  return { requestsPerSecond: served / result.duration, cpuMsPerRequest: served > 0 ? ((after - before) * 1000) / served : Number.NaN, failures: result.non2xx + result.errors };
}

/** Median time to the first body byte over `count` sequential streamed requests, and to the response headers. */
async function firstByte(target: GatewayTarget, count: number): Promise<{ bodyMs: number; headersMs: number }> {
  const dispatcher = new Agent({ connections: 1 });
  const bodies: number[] = [];
  const headers: number[] = [];
  try {
    for (let index = 0; index < count + 2; index += 1) {
      const started = performance.now();
      const response = await request(`${target.url}/v1/chat/completions`, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
        body: gatewayBody(true),
      });
      const headersAt = performance.now();
      let first: number | undefined;
      for await (const chunk of response.body) {
        if (first === undefined && (chunk as Buffer).length > 0) first = performance.now();
      }
      if (index < 2) continue; // warm-up
      headers.push(headersAt - started);
      bodies.push((first ?? Number.NaN) - started);
    }
  } finally {
    await dispatcher.close();
  }
  bodies.sort((a, b) => a - b);
  headers.sort((a, b) => a - b);
  return { bodyMs: percentile(bodies, 0.5), headersMs: percentile(headers, 0.5) };
}

async function gatewayPart(upstream: UpstreamChild, settings: { duration: number; rounds: number; firstByteCount: number }, ratios: SummaryRatio[]): Promise<void> {
  const starters = [startFloorGateway, startSwitchyardGateway];
  for (const stream of [false, true]) {
    const figures = new Map<string, LoadFigures[]>();
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const start of starters) {
        const target = await start(upstream);
        try {
          const measured = await loadGateway(target, stream, 16, settings.duration);
          figures.set(target.name, [...(figures.get(target.name) ?? []), measured]);
        } finally {
          await target.stop();
        }
      }
    }
    const rows = [...figures.entries()].map(([name, list]) => {
      const sorted = [...list].sort((a, b) => a.cpuMsPerRequest - b.cpuMsPerRequest);
      return { name, ...sorted[Math.floor(sorted.length / 2)] };
    });
    const floor = rows[0];
    const title = stream ? 'streamed (20 chunks)' : 'non-streamed';
    printSection(
      `floor: gateway ${title}, 16 connections, ${settings.duration} s (median of ${settings.rounds} interleaved rounds)`,
      renderTable(
        ['gateway', 'req/s', 'CPU ms/req', 'failed', 'req/s vs floor', 'CPU/req vs floor'],
        rows.map((row) => [row.name, formatNumber(row.requestsPerSecond), row.cpuMsPerRequest.toFixed(3), String(row.failures), formatRatio(row.requestsPerSecond / floor.requestsPerSecond), formatRatio(row.cpuMsPerRequest / floor.cpuMsPerRequest)]),
      ),
    );
    const switchyard = rows[1];
    ratios.push({ suite: 'floor', label: `gateway ${title} CPU/request vs floor`, value: switchyard.cpuMsPerRequest / floor.cpuMsPerRequest, note: stream ? 'goal <= 2' : 'goal <= 1.25' });
    if (!stream) ratios.push({ suite: 'floor', label: `gateway ${title} req/s vs floor`, value: switchyard.requestsPerSecond / floor.requestsPerSecond, note: 'goal >= 0.8' });
  }

  await upstream.configure({ streamChunkDelayMs: 20 });
  const firstBytes: Array<[string, { bodyMs: number; headersMs: number }]> = [];
  for (const start of starters) {
    const target = await start(upstream);
    try {
      firstBytes.push([target.name, await firstByte(target, settings.firstByteCount)]);
    } finally {
      await target.stop();
    }
  }
  await upstream.configure({ streamChunkDelayMs: 0 });
  printSection(
    `floor: first byte of a stream whose chunks come 20 ms apart, 1 connection (median of ${settings.firstByteCount})`,
    renderTable(
      ['gateway', 'headers ms', 'first body byte ms', 'first body byte minus floor ms'],
      firstBytes.map(([name, value]) => [name, formatMs(value.headersMs), formatMs(value.bodyMs), formatMs(value.bodyMs - firstBytes[0][1].bodyMs)]),
    ),
  );
  ratios.push({ suite: 'floor', label: 'gateway first body byte minus floor (ms), chunks 20 ms apart', value: firstBytes[1][1].bodyMs - firstBytes[0][1].bodyMs, note: 'goal <= 1 ms (a difference, not a ratio)' });

  const rss: string[][] = [];
  for (const start of starters) {
    for (const stream of [false, true]) {
      const target = await start(upstream);
      try {
        await loadGateway(target, stream, 64, settings.duration);
        rss.push([target.name, stream ? 'streamed' : 'non-streamed', formatMiB((await peakRssBytes(target.pid)) ?? Number.NaN)]);
      } finally {
        await target.stop();
      }
    }
  }
  printSection(`floor: gateway peak RSS at 64 connections (a fresh process per row, ${settings.duration} s)`, renderTable(['gateway', 'calls', 'peak RSS'], rss));
}

interface LibraryContender {
  name: string;
  call(): Promise<unknown>;
  close(): Promise<void>;
}

function rawUndici(upstream: UpstreamChild): LibraryContender {
  const dispatcher = new Agent({ connections: 128 });
  const body = JSON.stringify({ model: MODEL, messages: MESSAGES });
  return {
    name: 'raw undici request()',
    async call() {
      const response = await request(`${upstream.url}/chat/completions`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, body });
      await response.body.json();
    },
    close: () => dispatcher.close(),
  };
}

/** The client as a user creates it in a plain script: providers only, no environment, no config file. */
function plainSwitchyard(createSwitchyard: typeof CreateSwitchyard, upstream: UpstreamChild, name: string, cache: boolean): LibraryContender {
  const ai = createSwitchyard({ environment: {}, configFile: '', databaseUrl: ':memory:', providers: { openai: { type: 'openai', baseURL: upstream.url, apiKey: 'sk-bench' } }, ...(cache ? { cache: { responses: true } } : {}) });
  return {
    name,
    call: () => ai.chat({ model: `openai/${MODEL}`, messages: MESSAGES, ...(cache ? { temperature: 0 } : {}) }),
    close: () => ai.close(),
  };
}

function langChainCached(upstream: UpstreamChild): LibraryContender {
  const model = new ChatOpenAI({ model: MODEL, apiKey: 'sk-bench', temperature: 0, configuration: { baseURL: upstream.url }, cache: new InMemoryCache() });
  return { name: 'LangChain ChatOpenAI + InMemoryCache (hits)', call: () => model.invoke(MESSAGES), close: async () => undefined };
}

interface LibraryFigures {
  callsPerSecond: number;
  cpuMicrosPerCall: number;
}

async function measureLibrary(contender: LibraryContender, calls: number, concurrency: number): Promise<LibraryFigures> {
  await measureCalls({ name: contender.name, calls: Math.min(500, calls), concurrency, call: () => contender.call() });
  const before = process.cpuUsage();
  const measured = await measureCalls({ name: contender.name, calls, concurrency, warmupCalls: 0, call: () => contender.call() });
  const used = process.cpuUsage(before);
  if (measured.errors > 0) throw new Error(`${contender.name}: ${measured.errors} calls failed`);
  return { callsPerSecond: measured.requestsPerSecond, cpuMicrosPerCall: (used.user + used.system) / calls };
}

/** Heap still used after `calls` cache hits, after full collections before and after. */
async function heapRetained(contender: LibraryContender, calls: number): Promise<number> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let index = 0; index < 1000; index += 1) await contender.call();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let index = 0; index < calls; index += 1) await contender.call();
  gc();
  return process.memoryUsage().heapUsed - before;
}

async function libraryPart(upstream: UpstreamChild, settings: { calls: number; rounds: number }, ratios: SummaryRatio[]): Promise<void> {
  // The compiled package, as a user imports it.
  const { createSwitchyard } = await builtClient();
  const misses = [rawUndici(upstream), plainSwitchyard(createSwitchyard, upstream, 'createSwitchyard({ providers }) (miss)', false)];
  const hits = [langChainCached(upstream), plainSwitchyard(createSwitchyard, upstream, 'createSwitchyard({ providers, cache }) (hits)', true)];
  const figures = new Map<LibraryContender, LibraryFigures[]>();
  try {
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const contender of misses) figures.set(contender, [...(figures.get(contender) ?? []), await measureLibrary(contender, settings.calls, 16)]);
      for (const contender of hits) figures.set(contender, [...(figures.get(contender) ?? []), await measureLibrary(contender, settings.calls * 5, 1)]);
    }
    const median = (contender: LibraryContender): LibraryFigures => {
      const list = [...figures.get(contender)!].sort((a, b) => a.cpuMicrosPerCall - b.cpuMicrosPerCall);
      return list[Math.floor(list.length / 2)];
    };
    const table = (title: string, contenders: LibraryContender[]): void => {
      const base = median(contenders[0]);
      printSection(
        title,
        renderTable(
          ['client', 'calls/s', 'CPU µs/call', 'calls/s vs first', 'CPU/call vs first'],
          contenders.map((contender) => {
            const value = median(contender);
            return [contender.name, formatNumber(value.callsPerSecond), value.cpuMicrosPerCall.toFixed(1), formatRatio(value.callsPerSecond / base.callsPerSecond), formatRatio(value.cpuMicrosPerCall / base.cpuMicrosPerCall)];
          }),
        ),
      );
    };
    table(`floor: library misses, concurrency 16, ${settings.calls} calls (median of ${settings.rounds} interleaved rounds)`, misses);
    table(`floor: library cache hits, concurrency 1, ${settings.calls * 5} calls (median of ${settings.rounds} interleaved rounds)`, hits);
    const [undici, switchyardMiss] = misses.map(median);
    const [langChain, switchyardHit] = hits.map(median);
    ratios.push({ suite: 'floor', label: 'library misses CPU/call vs raw undici, C=16', value: switchyardMiss.cpuMicrosPerCall / undici.cpuMicrosPerCall, note: 'goal <= 1.2' });
    ratios.push({ suite: 'floor', label: 'library misses calls/s vs raw undici, C=16', value: switchyardMiss.callsPerSecond / undici.callsPerSecond, note: 'goal >= 0.85' });
    ratios.push({ suite: 'floor', label: 'library cache hits, calls/s (thousands)', value: switchyardHit.callsPerSecond / 1000, note: 'goal >= 200 (not a ratio)' });
    ratios.push({ suite: 'floor', label: 'library cache hits calls/s vs LangChain InMemoryCache', value: switchyardHit.callsPerSecond / langChain.callsPerSecond, note: 'goal >= 6' });
    const retained = await heapRetained(hits[1], 20_000);
    printSection('floor: heap retained over 20,000 cache hits (after full collections)', renderTable(['client', 'heap retained'], [[hits[1].name, formatMiB(retained)]]));
    ratios.push({ suite: 'floor', label: 'library heap retained over 20,000 hits (MiB)', value: retained / (1024 * 1024), note: 'goal < 1 (not a ratio)' });
  } finally {
    await Promise.all([...misses, ...hits].map((contender) => contender.close()));
  }
}

/** Suite `floor`: the issue-9 ratios, side by side in one run. */
export const floorSuite: BenchSuite = {
  name: 'floor',
  description: 'Switchyard next to a Fastify + undici gateway and raw undici request(), side by side',
  async run(settings) {
    const duration = numberFlag(settings.argv, 'duration', settings.quick ? 2 : 6);
    const rounds = Math.max(1, numberFlag(settings.argv, 'rounds', settings.quick ? 1 : 3));
    const calls = numberFlag(settings.argv, 'calls', settings.quick ? 1000 : 4000);
    const only = settings.argv.find((argument) => argument.startsWith('--part='))?.slice('--part='.length);
    const upstream = await startUpstreamChild({ reply: REPLY });
    const ratios: SummaryRatio[] = [];
    try {
      if (only !== 'library') await gatewayPart(upstream, { duration, rounds, firstByteCount: settings.quick ? 10 : 30 }, ratios);
      if (only !== 'gateway') await libraryPart(upstream, { calls, rounds }, ratios);
    } finally {
      await upstream.stop();
    }
    return { ratios };
  },
};

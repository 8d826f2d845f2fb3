import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import {
  describeError,
  formatMiB,
  formatMs,
  formatNumber,
  formatRatio,
  numberFlag,
  printSection,
  renderTable,
  type BenchSuite,
  type SummaryRatio,
} from './bench-harness.js';
import {
  startPortkeyChild,
  startSwitchyardGatewayChild,
  startUpstreamChild,
  switchyardOptionsFor,
  type GatewayChild,
  type UpstreamChild,
} from './bench-servers.js';
import { summarizeProfiles } from './cpu-profile-summary.js';
import { cpuSeconds, peakRssBytes } from './process-usage.js';
import { describeAnswer, probeTarget, type HttpTarget } from './gateway-probe.js';
import { buildForProfiling, removeProfileBuild } from './profile-build.js';

/*
 * Suite 2, gateways: autocannon against the fake upstream directly (the
 * floor), the Portkey gateway and the Switchyard gateway (cache off, then
 * cache hits), each gateway in its own process, with one identical OpenAI
 * chat-completion body. Scenarios: non-streamed and streamed at 0 ms upstream
 * latency, non-streamed at 50 ms.
 */

const USER_TEXT =
  'Summarise in one paragraph why a gateway in front of model providers should pool connections, cache answers and measure itself honestly.';

function requestBody(stream: boolean): string {
  return JSON.stringify({
    model: 'gpt-4o-mini',
    temperature: 0,
    messages: [
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: USER_TEXT },
    ],
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

type TargetKind = 'floor' | 'portkey' | 'switchyard' | 'switchyard-cached' | 'switchyard-monitoring-off';

interface Scenario {
  title: string;
  stream: boolean;
  latencyMs: number;
  targets: TargetKind[];
}

interface Row {
  kind: TargetKind;
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  upstreamCalls: number;
  cpuMsPerRequest?: number;
  peakRss?: number;
  /** The most requests seen waiting for an upstream connection in Switchyard's pool (sampled). */
  maxQueued?: number;
  probe: string;
  /** CPU profile summary (`--profile` runs). */
  profile?: string;
}

interface LoadSettings {
  connections: number;
  duration: number;
  warmup: number;
  /** Set on `--profile` runs: Switchyard gateways run under --cpu-prof from this build (or tsx when undefined). */
  profile?: { gatewayModule?: string };
}

const TARGET_NAMES: Record<TargetKind, string> = {
  floor: 'fake upstream direct (floor)',
  portkey: 'portkey gateway',
  switchyard: 'switchyard gateway (cache off)',
  'switchyard-cached': 'switchyard gateway (cache hits)',
  'switchyard-monitoring-off': 'switchyard gateway (cache off, monitoring off)',
};

async function startTarget(
  kind: TargetKind,
  upstream: UpstreamChild,
  stream: boolean,
  profile: { gatewayModule?: string; directory: string } | undefined,
): Promise<{ target: HttpTarget; gateway?: GatewayChild }> {
  if (kind === 'floor') return { target: { url: upstream.url.replace(/\/v1$/, ''), headers: {} } };
  const gateway =
    kind === 'portkey'
      ? await startPortkeyChild(upstream.url, { streamWorkaround: stream })
      : await startSwitchyardGatewayChild({
          name: TARGET_NAMES[kind],
          ...(profile ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profile.directory}`], gatewayModule: profile.gatewayModule } : {}),
          switchyard: switchyardOptionsFor(upstream.url, {
            cache: kind === 'switchyard-cached',
            monitoring: kind !== 'switchyard-monitoring-off',
          }),
        });
  return { target: { url: gateway.url, headers: gateway.headers, pid: gateway.child.process.pid }, gateway };
}

const POOL_SAMPLE_MS = 250;

/** Samples a Switchyard gateway's upstream pool while it is loaded; `stop` resolves the most queued requests seen. */
function watchPoolQueue(gateway: GatewayChild): { stop(): Promise<number> } {
  let maxQueued = 0;
  let sampling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    sampling = gateway.child
      .request<{ value: Record<string, { queued: number }> }>({ type: 'stats' }, 2_000)
      .then((reply) => {
        for (const pool of Object.values(reply.value)) maxQueued = Math.max(maxQueued, pool.queued);
      })
      .catch(() => undefined);
  }, POOL_SAMPLE_MS);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      return maxQueued;
    },
  };
}

async function load(target: HttpTarget, body: string, connections: number, duration: number) {
  return autocannon({
    url: `${target.url}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', ...target.headers },
    body,
    connections,
    duration,
    timeout: 10,
  });
}

async function measureTarget(kind: TargetKind, scenario: Scenario, upstream: UpstreamChild, settings: LoadSettings): Promise<Row> {
  const profiled = settings.profile && kind.startsWith('switchyard');
  const profile = profiled ? { ...settings.profile, directory: await mkdtemp(join(tmpdir(), 'switchyard-bench-profile-')) } : undefined;
  const { target, gateway } = await startTarget(kind, upstream, scenario.stream, profile);
  let row: Row;
  try {
    const body = requestBody(scenario.stream);
    const probe = await probeTarget(target, body, scenario.stream, upstream, kind === 'switchyard-cached');
    await load(target, body, settings.connections, settings.warmup);
    await upstream.reset();
    const cpuBefore = await cpuSeconds(target.pid);
    const watch = gateway?.child.process.connected ? watchPoolQueue(gateway) : undefined;
    const result = await load(target, body, settings.connections, settings.duration);
    const maxQueued = await watch?.stop();
    const cpuAfter = await cpuSeconds(target.pid);
    const upstreamCalls = (await upstream.stats()).requests;
    const served = result['2xx'];
    row = {
      kind,
      name: TARGET_NAMES[kind],
      requestsPerSecond: served / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      failures: result.non2xx + result.errors,
      upstreamCalls,
      cpuMsPerRequest: cpuBefore !== undefined && cpuAfter !== undefined && served > 0 ? ((cpuAfter - cpuBefore) * 1000) / served : undefined,
      peakRss: await peakRssBytes(target.pid),
      maxQueued,
      probe,
    };
  } finally {
    await gateway?.stop();
  }
  if (profile) row.profile = await summarizeProfiles(profile.directory);
  return row;
}

/** A row for a target that could not be measured: the table says why instead of the suite stopping. */
function failedRow(kind: TargetKind, error: unknown): Row {
  const reason = describeError(error).split('\n')[0].slice(0, 160);
  return { kind, name: TARGET_NAMES[kind], requestsPerSecond: 0, p50Ms: Number.NaN, p99Ms: Number.NaN, failures: 0, upstreamCalls: 0, probe: `FAILED: ${reason}` };
}

function renderRows(rows: Row[]): string {
  const portkey = rows.find((row) => row.kind === 'portkey');
  const floor = rows.find((row) => row.kind === 'floor');
  return renderTable(
    ['configuration', 'req/s', 'p50 ms', 'p99 ms', 'failed', 'vs floor', 'vs portkey', 'upstream calls', 'gateway CPU ms/req', 'gateway peak RSS', 'max queued at pool', 'probe'],
    rows.map((row) => [
      row.name,
      formatNumber(row.requestsPerSecond),
      formatMs(row.p50Ms),
      formatMs(row.p99Ms),
      String(row.failures),
      floor ? formatRatio(row.requestsPerSecond / floor.requestsPerSecond) : 'n/a',
      portkey && row.kind !== 'floor' ? formatRatio(row.requestsPerSecond / portkey.requestsPerSecond) : '',
      formatNumber(row.upstreamCalls),
      row.cpuMsPerRequest !== undefined ? row.cpuMsPerRequest.toFixed(3) : '',
      row.peakRss !== undefined ? formatMiB(row.peakRss) : '',
      row.maxQueued !== undefined ? String(row.maxQueued) : '',
      row.probe,
    ]),
  );
}

function ratiosOf(rows: Row[], scenario: Scenario): SummaryRatio[] {
  const ratios: SummaryRatio[] = [];
  const monitored = rows.find((row) => row.kind === 'switchyard');
  const unmonitored = rows.find((row) => row.kind === 'switchyard-monitoring-off');
  if (monitored && unmonitored && unmonitored.requestsPerSecond > 0) {
    ratios.push({
      suite: 'gateway',
      label: `switchyard monitoring on / off req/s, ${scenario.title}`,
      value: monitored.requestsPerSecond / unmonitored.requestsPerSecond,
      note: 'goal >= 0.9: watching costs little',
    });
  }
  const portkey = rows.find((row) => row.kind === 'portkey');
  if (!portkey || portkey.requestsPerSecond === 0) return ratios;
  for (const row of rows.filter((candidate) => candidate.kind.startsWith('switchyard'))) {
    ratios.push({ suite: 'gateway', label: `${row.name} / portkey req/s, ${scenario.title}`, value: row.requestsPerSecond / portkey.requestsPerSecond, note: '> 1: Switchyard faster' });
    if (row.cpuMsPerRequest !== undefined && portkey.cpuMsPerRequest !== undefined && row.cpuMsPerRequest > 0) {
      ratios.push({
        suite: 'gateway',
        label: `portkey / ${row.name} CPU per request, ${scenario.title}`,
        value: portkey.cpuMsPerRequest / row.cpuMsPerRequest,
        note: '> 1: Switchyard uses less CPU',
      });
    }
  }
  return ratios;
}

/** One streamed request to Portkey without the workaround preload: what a user of this install gets. */
async function portkeyStreamAsInstalled(upstream: UpstreamChild): Promise<string> {
  const portkey = await startPortkeyChild(upstream.url);
  try {
    const answer = await describeAnswer({ url: portkey.url, headers: portkey.headers }, requestBody(true));
    return `Portkey streaming as installed (no workaround preload): ${answer}. The row above ran with bench/portkey-stream-workaround.ts.`;
  } finally {
    await portkey.stop();
  }
}

/** Suite 2: the gateways under autocannon, side by side. */
export const gatewaySuite: BenchSuite = {
  name: 'gateway',
  description: 'autocannon against the fake upstream, Portkey and the Switchyard gateway (each in its own process)',
  async run(settings) {
    const connections = numberFlag(settings.argv, 'connections', 32);
    const duration = numberFlag(settings.argv, 'duration', settings.quick ? 3 : 10);
    const warmup = numberFlag(settings.argv, 'warmup', settings.quick ? 1 : 2);
    const slowMs = numberFlag(settings.argv, 'upstream-latency', 50);
    const profiling = settings.argv.includes('--profile');
    const scenarios: Scenario[] = [
      { title: 'non-stream, 0 ms upstream', stream: false, latencyMs: 0, targets: ['floor', 'portkey', 'switchyard', 'switchyard-monitoring-off', 'switchyard-cached'] },
      { title: 'stream, 0 ms upstream', stream: true, latencyMs: 0, targets: ['floor', 'portkey', 'switchyard', 'switchyard-monitoring-off', 'switchyard-cached'] },
      {
        title: `non-stream, ${slowMs} ms upstream`,
        stream: false,
        latencyMs: slowMs,
        targets: ['floor', 'portkey', 'switchyard', 'switchyard-monitoring-off', 'switchyard-cached'],
      },
    ];
    const only = settings.argv.find((argument) => argument.startsWith('--scenario='))?.slice('--scenario='.length);
    const chosen = only ? scenarios.filter((scenario) => scenario.title.startsWith(only)) : scenarios;
    const load: LoadSettings = { connections, duration, warmup, ...(profiling ? { profile: { gatewayModule: await buildForProfiling() } } : {}) };
    const upstream = await startUpstreamChild();
    const ratios: SummaryRatio[] = [];
    try {
      for (const scenario of chosen) {
        await upstream.configure({ latencyMs: scenario.latencyMs });
        const rows: Row[] = [];
        for (const kind of scenario.targets) rows.push(await measureTarget(kind, scenario, upstream, load).catch((error: unknown) => failedRow(kind, error)));
        const notes = scenario.stream ? [await portkeyStreamAsInstalled(upstream)] : [];
        if (profiling) {
          notes.push('(--profile: the Switchyard gateways ran under --cpu-prof, which slows them; their figures are not comparable.)');
          for (const row of rows.filter((candidate) => candidate.profile)) notes.push(`CPU profile of ${row.name}, ${scenario.title}:\n\n${row.profile}`);
        }
        printSection(`gateway: ${scenario.title}, ${connections} connections, ${duration} s (after ${warmup} s warm-up)`, renderRows(rows), notes);
        ratios.push(...ratiosOf(rows, scenario));
      }
    } finally {
      await upstream.stop();
      if (profiling) await removeProfileBuild();
    }
    return { ratios };
  },
};

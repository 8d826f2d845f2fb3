// Gateway CPU per request with database keys, rate limits (Redis) and budgets on, against the same
// gateway with a static key and none of them: two gateway processes side by side, measured in
// interleaved rounds in one run (the machine is shared, so only the ratio of one run means anything).
// Usage: npx tsx bench/teams-overhead.ts [--rounds=5] [--duration=6] [--connections=16]
// Needs the Redis of SWITCHYARD_TEST_REDIS_URL (default redis://127.0.0.1:6379). Never run by `npm test`.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createKey } from '../src/access/key-store.js';
import { createDatabase } from '../src/store/database.js';
import { startSwitchyardGatewayChild, startUpstreamChild, switchyardOptionsFor, type GatewayChild } from './bench-servers.js';
import { summarizeProfiles } from './cpu-profile-summary.js';
import { cpuSeconds } from './process-usage.js';

const argument = (name: string, fallback: number): number => Number(process.argv.find((value) => value.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const ROUNDS = argument('rounds', 5);
const DURATION = argument('duration', 6);
const CONNECTIONS = argument('connections', 16);
/** `--profile=DIR`: the teams gateway runs under --cpu-prof and its hotspots are printed at the end. */
const PROFILE = process.argv.find((value) => value.startsWith('--profile='))?.split('=')[1];
const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BODY = JSON.stringify({ model: 'openai/gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'Say hello to the benchmark in a few words.' }] });

interface Target {
  name: string;
  gateway: GatewayChild;
  key: string;
  samples: Array<{ cpuPerRequestMs: number; requestsPerSecond: number }>;
}

async function load(target: Target, duration: number) {
  return autocannon({
    url: `${target.gateway.url}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${target.key}` },
    body: BODY,
    connections: CONNECTIONS,
    duration,
    timeout: 10,
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const directory = await mkdtemp(join(tmpdir(), 'switchyard-bench-teams-'));
const databaseUrl = join(directory, 'teams.db');
const database = createDatabase(databaseUrl);
await database.migrate();
// Limits high enough never to refuse: every request pays for the checks, none is turned away.
const { key } = await createKey(database.db, {
  tenant: `bench_${randomBytes(4).toString('hex')}`,
  rpm: 100_000_000,
  tpm: 1_000_000_000_000,
  concurrency: 100_000,
  budgetUsd: 1_000_000,
  budgetPeriod: 'month',
  models: ['openai/*'],
});
await database.close();

const upstream = await startUpstreamChild();
const base = switchyardOptionsFor(upstream.url, { cache: false });
const plain: Target = {
  name: 'static key, no limits',
  key: 'sk-bench-static',
  gateway: await startSwitchyardGatewayChild({ name: 'plain', switchyard: { ...base, server: { apiKeys: ['bench:sk-bench-static'] } } }),
  samples: [],
};
const teams: Target = {
  name: 'database key, rpm/tpm/concurrency in Redis, budget, spend',
  key,
  gateway: await startSwitchyardGatewayChild({
    name: 'teams',
    switchyard: { ...base, databaseUrl, redisUrl: REDIS_URL },
    ...(PROFILE ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] } : {}),
  }),
  samples: [],
};

const inProcess: Target = {
  name: 'database key, limits in process (no Redis), budget, spend',
  key,
  gateway: await startSwitchyardGatewayChild({ name: 'in-process', switchyard: { ...base, databaseUrl } }),
  samples: [],
};
const targets = [plain, teams, inProcess];

console.log(`# teams overhead: ${new Date().toISOString()} | node ${process.version} | ${cpus().length} cores | load average ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
console.log(`${ROUNDS} interleaved rounds of ${DURATION} s, ${CONNECTIONS} connections, non-stream, 0 ms upstream\n`);
try {
  for (const target of targets) await load(target, 2); // warm-up
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
      const before = await cpuSeconds(target.gateway.child.process.pid);
      const result = await load(target, DURATION);
      const after = await cpuSeconds(target.gateway.child.process.pid);
      if (result.non2xx + result.errors > 0) throw new Error(`${target.name}: ${result.non2xx} non-2xx and ${result.errors} errors`);
      target.samples.push({ cpuPerRequestMs: ((after! - before!) * 1000) / result['2xx'], requestsPerSecond: result['2xx'] / result.duration });
    }
  }
  console.log('| gateway | CPU per request (median) | req/s (median) | rounds (CPU ms/request) |');
  console.log('|---|---|---|---|');
  for (const target of targets) {
    const cpu = median(target.samples.map((sample) => sample.cpuPerRequestMs));
    const rate = median(target.samples.map((sample) => sample.requestsPerSecond));
    console.log(`| ${target.name} | ${cpu.toFixed(3)} ms | ${rate.toFixed(0)} | ${target.samples.map((sample) => sample.cpuPerRequestMs.toFixed(3)).join(', ')} |`);
  }
  for (const target of [teams, inProcess]) {
    const ratio = median(target.samples.map((sample) => sample.cpuPerRequestMs)) / median(plain.samples.map((sample) => sample.cpuPerRequestMs));
    const perRound = target.samples.map((sample, index) => sample.cpuPerRequestMs / plain.samples[index].cpuPerRequestMs);
    console.log(`\nCPU per request, ${target.name} / plain: ${ratio.toFixed(3)} (per round: ${perRound.map((value) => value.toFixed(3)).join(', ')})`);
  }
} finally {
  await Promise.all([...targets.map((target) => target.gateway.stop()), upstream.stop()]);
  await rm(directory, { recursive: true, force: true });
}
if (PROFILE) console.log(`\n${await summarizeProfiles(PROFILE, 25)}`);

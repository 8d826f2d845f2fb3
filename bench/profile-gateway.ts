// Usage: npx tsx bench/profile-gateway.ts [--stream] [--floor] [--duration=S] [--top=N] [--keep]
// Runs the Switchyard gateway of the `floor` suite (production profile, every
// request a miss, monitoring on) from a source-mapped build under --cpu-prof,
// loads it with autocannon at 16 connections, and prints where the CPU went
// (self time by function and by file). The first thing to run before cutting
// anything on the gateway's hot path. `--floor` profiles the Fastify + undici
// floor gateway instead, for comparison.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { numberFlag } from './bench-harness.js';
import { startSwitchyardGatewayChild, startUpstreamChild, switchyardOptionsFor } from './bench-servers.js';
import { benchFile, spawnChild } from './child-process.js';
import { summarizeProfiles } from './cpu-profile-summary.js';
import { buildForProfiling, removeProfileBuild } from './profile-build.js';

const argv = process.argv.slice(2);
const stream = argv.includes('--stream');
const duration = numberFlag(argv, 'duration', 8);
const top = numberFlag(argv, 'top', 30);
const reply = Array.from({ length: 20 }, (_, index) => `word${index}`).join(' ');
const body = JSON.stringify({
  model: 'gpt-4o-mini',
  temperature: 0,
  messages: [
    { role: 'system', content: 'You are a terse assistant.' },
    { role: 'user', content: 'Name three prime numbers and say which one is even.' },
  ],
  ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
});

const upstream = await startUpstreamChild({ reply });
const gatewayModule = await buildForProfiling();
const directory = await mkdtemp(join(tmpdir(), 'switchyard-profile-'));
const profileFlags = ['--cpu-prof', `--cpu-prof-dir=${directory}`];
const gateway = argv.includes('--floor')
  ? await startFloor()
  : await startSwitchyardGatewayChild({
      name: 'switchyard gateway (profiled)',
      switchyard: switchyardOptionsFor(upstream.url, { cache: false, monitoring: true }),
      nodeFlags: profileFlags,
      gatewayModule,
    });

async function startFloor(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawnChild({
    name: 'fastify + undici floor (profiled)',
    args: [...profileFlags, '--import', 'tsx', benchFile('./launch-floor-gateway.ts'), JSON.stringify({ upstream: upstream.url })],
    env: { NODE_ENV: 'production' },
    ipc: true,
  });
  const { url } = await child.waitForMessage<{ url: string }>('ready', 30_000);
  return { url, stop: () => child.stop() };
}
try {
  const options = {
    url: `${gateway.url}/v1/chat/completions`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body,
    connections: 16,
  };
  await autocannon({ ...options, duration: 2 });
  const result = await autocannon({ ...options, duration });
  console.log(`${stream ? 'streamed' : 'non-streamed'}: ${result.requests.average} req/s, ${result.non2xx + result.errors} failed`);
} finally {
  await gateway.stop();
  await upstream.stop();
}
console.log(await summarizeProfiles(directory, top));
if (argv.includes('--keep')) console.log(`profile kept in ${directory}`);
else await rm(directory, { recursive: true, force: true });
await removeProfileBuild();

// This checkout's gateway against another build of it (an older commit, a branch), side by side in one run:
// both gateways live at once against one fake upstream, loaded in turn (the order alternates by round), CPU per
// request read from /proc. On a shared machine only a same-run comparison like this means anything.
// Usage: npx tsx bench/ab-gateway.ts --other=/path/to/checkout/dist/gateway/start-gateway.js [--rounds=4] [--duration=5] [--connections=32]
// Build the other checkout first (`npm run build` there). Never run by `npm test`.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { renderTable } from './bench-harness.js';
import { startSwitchyardGatewayChild, startUpstreamChild, switchyardOptionsFor, type GatewayChild } from './bench-servers.js';
import { cpuSeconds, peakRssBytes } from './process-usage.js';

const option = (name: string): string | undefined => process.argv.find((value) => value.startsWith(`--${name}=`))?.split('=')[1];
const OTHER = option('other');
const ROUNDS = Number(option('rounds') ?? 4);
const DURATION = Number(option('duration') ?? 5);
const CONNECTIONS = Number(option('connections') ?? 32);
if (OTHER === undefined) {
  console.error('usage: npx tsx bench/ab-gateway.ts --other=/path/to/checkout/dist/gateway/start-gateway.js [--rounds=4] [--duration=5]');
  process.exit(2);
}

const message = [{ role: 'user', content: 'Say hello' }];
const SCENARIOS = {
  'non-stream': JSON.stringify({ model: 'openai/gpt-4o-mini', temperature: 0, messages: message }),
  stream: JSON.stringify({ model: 'openai/gpt-4o-mini', temperature: 0, stream: true, stream_options: { include_usage: true }, messages: message }),
};

const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const upstream = await startUpstreamChild();
const options = switchyardOptionsFor(upstream.url, { cache: false });
const gateways: Array<{ name: string; gateway: GatewayChild }> = [
  { name: `other (${OTHER})`, gateway: await startSwitchyardGatewayChild({ name: 'other', switchyard: options, gatewayModule: OTHER }) },
  { name: 'this checkout', gateway: await startSwitchyardGatewayChild({ name: 'this', switchyard: options }) },
];
const pidOf = (gateway: GatewayChild): number => gateway.child.process.pid!;
const idleRss = gateways.map(({ gateway }) => rssMiB(pidOf(gateway)));
console.log(`# gateway A/B: ${new Date().toISOString()} | load average ${loadavg()[0].toFixed(2)} | ${ROUNDS} rounds of ${DURATION} s, ${CONNECTIONS} connections, cache off, 0 ms upstream`);

const samples = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [scenario, body] of Object.entries(SCENARIOS)) {
    for (const { name, gateway } of round % 2 === 0 ? gateways : [...gateways].reverse()) {
      const before = (await cpuSeconds(pidOf(gateway))) ?? 0;
      const result = await autocannon({ url: `${gateway.url}/v1/chat/completions`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: CONNECTIONS, duration: DURATION });
      const cpuMs = (((await cpuSeconds(pidOf(gateway))) ?? 0) - before) * 1000;
      if (result.non2xx > 0 || result.errors > 0) console.warn(`${name} ${scenario}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      const key = `${scenario}\t${name}`;
      samples.set(key, [...(samples.get(key) ?? []), cpuMs / result.requests.total]);
    }
  }
}

const rows: string[][] = [];
for (const [key, values] of samples) {
  const [scenario, name] = key.split('\t');
  rows.push([scenario, name, median(values).toFixed(3), values.map((value) => value.toFixed(3)).join(', ')]);
}
console.log(renderTable(['scenario', 'gateway', 'CPU ms/request (median)', 'rounds'], rows));
for (const scenario of Object.keys(SCENARIOS)) {
  const [other, current] = gateways.map(({ name }) => median(samples.get(`${scenario}\t${name}`)!));
  console.log(`${scenario}: this checkout / other, CPU per request ${(current / other).toFixed(2)}x`);
}
for (const [index, { name, gateway }] of gateways.entries()) {
  console.log(`${name}: RSS at rest ${idleRss[index].toFixed(0)} MiB, peak ${(((await peakRssBytes(pidOf(gateway))) ?? Number.NaN) / 2 ** 20).toFixed(0)} MiB`);
}
for (const { gateway } of gateways) await gateway.stop();
await upstream.stop();

// Throughput of a tracked call with observability on versus off, side by side.
// Run: npx tsx bench/observability.bench.ts [iterations]   (never run by npm test)
// One "call" is what the client does per chat: a request operation wrapping a memory-cache
// lookup and an upstream call (both resolve at once, so only tracking cost is measured).
import { performance } from 'node:perf_hooks';
import { createObservability, type Observability } from '../src/observability/index.js';

const iterations = Number(process.argv[2] ?? 200_000);
const nullDestination = { write: (_line: string) => undefined };

async function untracked(index: number): Promise<string> {
  const cached = await Promise.resolve(index % 4 === 0 ? 'cached' : undefined);
  return cached ?? (await Promise.resolve('answer'));
}

async function tracked(observability: Observability, index: number): Promise<string> {
  const { tracker } = observability;
  const requestId = `r${index}`;
  return tracker.track('request', { requestId, operation: 'chat', model: 'openai/gpt-4o-mini', provider: 'openai' }, async (request) => {
    const cached = await tracker.track('cache', { requestId, layer: 'memory', operation: 'get' }, () =>
      Promise.resolve(index % 4 === 0 ? 'cached' : undefined),
    );
    if (cached !== undefined) {
      request.set({ cache: 'hit-memory', usage: { inputTokens: 12, outputTokens: 0, totalTokens: 12 }, cost: 0 });
      return cached;
    }
    const answer = await tracker.track(
      'upstream',
      { requestId, provider: 'openai', model: 'openai/gpt-4o-mini', operation: 'generate', attempt: 1 },
      () => Promise.resolve('answer'),
      { parent: request },
    );
    request.set({ cache: 'miss', usage: { inputTokens: 12, outputTokens: 30, totalTokens: 42 }, cost: 0.00002 });
    return answer;
  });
}

async function measure(name: string, call: (index: number) => Promise<string>): Promise<number> {
  for (let index = 0; index < Math.min(20_000, iterations); index += 1) await call(index);
  const started = performance.now();
  for (let index = 0; index < iterations; index += 1) await call(index);
  const perSecond = iterations / ((performance.now() - started) / 1000);
  console.log(`${name.padEnd(44)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} calls/s`);
  return perSecond;
}

const off = createObservability({ profile: 'production', monitoring: false, logDestination: nullDestination });
const on = createObservability({ profile: 'production', monitoring: true, logDestination: nullDestination });
const onWithListeners = createObservability({ profile: 'production', monitoring: true, logDestination: nullDestination });
let responses = 0;
onWithListeners.events.on('response', () => responses++);
onWithListeners.events.on('cache', () => undefined);

console.log(`observability bench: ${iterations.toLocaleString('en-US')} sequential calls, Node ${process.version}`);
const baseline = await measure('untracked (baseline)', untracked);
const offRate = await measure('tracked, observability off', (index) => tracked(off, index));
const onRate = await measure('tracked, observability on', (index) => tracked(on, index));
const listenerRate = await measure('tracked, on + response/cache listeners', (index) => tracked(onWithListeners, index));
console.log('');
console.log(`on / off throughput ratio:                 ${(onRate / offRate).toFixed(2)}`);
console.log(`off / untracked throughput ratio:          ${(offRate / baseline).toFixed(2)}`);
console.log(`on+listeners / off throughput ratio:       ${(listenerRate / offRate).toFixed(2)}`);
console.log(`per-call cost, on:  ${((1e6 / onRate) - (1e6 / baseline)).toFixed(2)} µs over untracked`);
console.log(`per-call cost, off: ${((1e6 / offRate) - (1e6 / baseline)).toFixed(2)} µs over untracked`);
const snapshot = on.snapshot();
console.log(`(on: ${snapshot.lifetime.requests.toLocaleString('en-US')} requests in stats, ${responses.toLocaleString('en-US')} response events)`);
await Promise.all([off.close(), on.close(), onWithListeners.close()]);

// Runs the benchmark suites and prints one table per suite plus a summary of ratios.
// Usage: npm run bench [-- <suite> ...] [--quick] [--duration=S] [--calls=N] [--upstream-latency=MS]
// Never run by `npm test`; nothing here asserts a time.
import { cpus, loadavg } from 'node:os';
import { formatRatio, renderTable, type BenchSuite, type SummaryRatio } from './bench-harness.js';
import { ensureBuilt } from './built-package.js';
import { clientOverheadSuite } from './client-overhead.bench.js';
import { floorSuite } from './floor.bench.js';
import { gatewaySuite } from './gateway.bench.js';
import { observabilitySuite } from './observability-suite.js';
import { streamMemorySuite } from './stream-memory.bench.js';

const SUITES: BenchSuite[] = [floorSuite, clientOverheadSuite, gatewaySuite, streamMemorySuite, observabilitySuite];

const argv = process.argv.slice(2);
const names = argv.filter((argument) => !argument.startsWith('--'));
const unknown = names.filter((name) => !SUITES.some((suite) => suite.name === name));
if (unknown.length > 0) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; known: ${SUITES.map((suite) => suite.name).join(', ')}`);
  process.exit(2);
}
const selected = names.length > 0 ? SUITES.filter((suite) => names.includes(suite.name)) : SUITES;
const quick = argv.includes('--quick');

console.log(`# Switchyard benchmarks`);
console.log(
  `\n${new Date().toISOString()} | node ${process.version} | ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}) | ` +
    `load average ${loadavg().map((value) => value.toFixed(2)).join(' ')}${quick ? ' | --quick' : ''}`,
);

// Every suite measures the compiled package (dist/), built from the current sources now.
await ensureBuilt();

const ratios: SummaryRatio[] = [];
const failures: string[] = [];
for (const suite of selected) {
  console.log(`\n## ${suite.name}: ${suite.description}`);
  const started = Date.now();
  try {
    const result = await suite.run({ quick, argv });
    ratios.push(...result.ratios);
  } catch (error) {
    failures.push(suite.name);
    console.error(`\nsuite ${suite.name} failed:`, error);
  }
  console.log(`\n(${suite.name} took ${((Date.now() - started) / 1000).toFixed(0)} s; load average now ${loadavg()[0].toFixed(2)})`);
}

console.log('\n## Summary of ratios\n');
console.log(
  renderTable(
    ['suite', 'ratio', 'value', 'how to read'],
    ratios.map((ratio) => [ratio.suite, ratio.label, formatRatio(ratio.value), ratio.note ?? '']),
    ['left', 'left', 'right', 'left'],
  ),
);
if (failures.length > 0) {
  console.error(`\nfailed suites: ${failures.join(', ')}`);
  process.exitCode = 1;
}

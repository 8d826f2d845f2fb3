import { existsSync } from 'node:fs';
import { numberFlag, printSection, type BenchSuite, type SummaryRatio } from './bench-harness.js';
import { benchFile, spawnChild } from './child-process.js';

/*
 * Suite 4, observability on/off: runs bench/observability.bench.ts (owned by
 * the observability helper) in its own process, prints its output and lifts
 * its ratios into the summary.
 */

const SCRIPT = './observability.bench.ts';
const TIMEOUT_MS = 180_000;

/** The `label: value` ratio lines the script prints. */
function parseRatios(output: string): SummaryRatio[] {
  const ratios: SummaryRatio[] = [];
  for (const match of output.matchAll(/^(.+ throughput ratio):\s+([\d.]+)\s*$/gm)) {
    const label = match[1].trim();
    ratios.push({
      suite: 'observability',
      label,
      value: Number(match[2]),
      note: label.startsWith('on / off') ? '1.00 = monitoring costs nothing' : 'throughput relative to the right-hand side',
    });
  }
  return ratios;
}

/** Suite 4: the cost of monitoring, measured by the observability helper's script. */
export const observabilitySuite: BenchSuite = {
  name: 'observability',
  description: 'tracked-call throughput with observability on versus off (bench/observability.bench.ts)',
  async run(settings) {
    const script = benchFile(SCRIPT);
    if (!existsSync(script)) {
      printSection('observability', 'bench/observability.bench.ts is not there; skipped.');
      return { ratios: [] };
    }
    const iterations = numberFlag(settings.argv, 'observability-iterations', settings.quick ? 50_000 : 200_000);
    const child = spawnChild({ name: 'observability bench', args: ['--import', 'tsx', script, String(iterations)] });
    const timer = setTimeout(() => child.process.kill('SIGKILL'), TIMEOUT_MS);
    timer.unref();
    const code = await child.exited;
    clearTimeout(timer);
    const output = child.output().trim();
    printSection('observability: bench/observability.bench.ts output', output);
    if (code !== 0) throw new Error(`bench/observability.bench.ts exited with code ${code}`);
    return { ratios: parseRatios(output) };
  },
};

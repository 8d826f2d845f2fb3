import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJson } from '../src/core/safe-json.js';
import { renderTable } from './bench-harness.js';

/*
 * Reads the .cpuprofile files `node --cpu-prof` wrote and lists where the
 * time went: self time by function (file:line), and by file. Used by
 * `npm run bench -- gateway --profile`.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

function location(frame: CallFrame): string {
  if (!frame.url) return '(native)';
  const path = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  const shown = path.startsWith(PROJECT_ROOT) ? relative(PROJECT_ROOT, path) : path;
  return `${shown}:${frame.lineNumber + 1}`;
}

function fileOf(frame: CallFrame): string {
  const at = location(frame);
  return at.replace(/:\d+$/, '');
}

/** Self time by function and by file, in ms and % of samples, excluding idle. */
export function summarizeProfile(profile: CpuProfile, top = 15): string {
  const totalHits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const msPerHit = totalHits > 0 ? (profile.endTime - profile.startTime) / 1000 / totalHits : 0;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let idle = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const name = node.callFrame.functionName || '(anonymous)';
    if (name === '(idle)' || name === '(program)') {
      idle += name === '(idle)' ? hits : 0;
      if (name === '(idle)') continue;
    }
    const key = `${name} ${location(node.callFrame)}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
    const file = fileOf(node.callFrame);
    byFile.set(file, (byFile.get(file) ?? 0) + hits);
  }
  const busy = totalHits - idle;
  const rows = (entries: Map<string, number>) =>
    [...entries.entries()]
      .sort((left, right) => right[1] - left[1])
      .slice(0, top)
      .map(([key, hits]) => [key, (hits * msPerHit).toFixed(0), `${((hits / Math.max(1, busy)) * 100).toFixed(1)}%`]);
  return [
    `busy ${(busy * msPerHit).toFixed(0)} ms of ${(totalHits * msPerHit).toFixed(0)} ms sampled`,
    '',
    renderTable(['function and location (self time)', 'ms', '% of busy'], rows(byFunction)),
    '',
    renderTable(['file (self time)', 'ms', '% of busy'], rows(byFile)),
  ].join('\n');
}

/** Summaries of every .cpuprofile in `directory`. */
export async function summarizeProfiles(directory: string, top = 15): Promise<string[]> {
  const files = (await readdir(directory)).filter((name) => name.endsWith('.cpuprofile'));
  const summaries: string[] = [];
  for (const name of files) {
    const profile = parseJson(await readFile(join(directory, name), 'utf8'), `cpu profile ${name}`) as CpuProfile;
    summaries.push(`${join(directory, name)}\n\n${summarizeProfile(profile, top)}`);
  }
  return summaries;
}

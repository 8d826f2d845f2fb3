import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
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
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

const sourceMaps = new Map<string, SourceMap | undefined>();

/** The source map next to a compiled file (`file.js.map`), if any. */
function sourceMapOf(path: string): SourceMap | undefined {
  if (!sourceMaps.has(path)) {
    const mapPath = `${path}.map`;
    sourceMaps.set(
      path,
      existsSync(mapPath) ? new SourceMap(parseJson(readFileSync(mapPath, 'utf8'), `source map ${mapPath}`) as SourceMapPayload) : undefined,
    );
  }
  return sourceMaps.get(path);
}

/** `file:line` of a frame, mapped back to the TypeScript source when a source map is next to the file. */
function location(frame: CallFrame): string {
  if (!frame.url) return '(native)';
  let path = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  let line = frame.lineNumber + 1;
  const entry = (path.endsWith('.js') ? sourceMapOf(path)?.findEntry(frame.lineNumber, frame.columnNumber) : undefined) as
    | { originalSource?: string; originalLine?: number }
    | undefined;
  if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(path), entry.originalSource);
    path = source;
    line = entry.originalLine + 1;
  }
  const shown = path.startsWith(PROJECT_ROOT) ? relative(PROJECT_ROOT, path) : path;
  return `${shown}:${line}`;
}

function fileOf(frame: CallFrame): string {
  const at = location(frame);
  return at.replace(/:\d+$/, '');
}

/**
 * Inclusive time of the project's own functions (src/): for each sample, every
 * distinct src/ function on its stack gets the sample once (recursion counted once).
 */
function inclusiveOwnTime(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const keys = new Map<number, string | undefined>();
  const keyOf = (node: ProfileNode): string | undefined => {
    if (!keys.has(node.id)) {
      const at = location(node.callFrame);
      keys.set(node.id, at.startsWith('src/') ? `${node.callFrame.functionName || '(anonymous)'} ${at}` : undefined);
    }
    return keys.get(node.id);
  };
  const totals = new Map<string, number>();
  for (const sample of profile.samples ?? []) {
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parents.get(id)) {
      const node = byId.get(id);
      const key = node && keyOf(node);
      if (key) seen.add(key);
    }
    for (const key of seen) totals.set(key, (totals.get(key) ?? 0) + 1);
  }
  return totals;
}

/**
 * Time charged to the nearest src/ function on each sample's stack: its own
 * time plus what it spends in Node and libraries until the next src/ frame.
 * Samples with no src/ frame (the HTTP server, undici's socket work, GC) go
 * to "(no src/ frame)". Shows what each of our functions costs, library calls included.
 */
function nearestOwnTime(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const owners = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = owners.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const at = location(node.callFrame);
    const parent = parents.get(id);
    const owner = at.startsWith('src/') ? `${node.callFrame.functionName || '(anonymous)'} ${at}` : parent === undefined ? '(no src/ frame)' : ownerOf(parent);
    owners.set(id, owner);
    return owner;
  };
  const totals = new Map<string, number>();
  for (const node of profile.nodes) {
    const name = node.callFrame.functionName;
    if (!node.hitCount || name === '(idle)') continue;
    const owner = ownerOf(node.id);
    totals.set(owner, (totals.get(owner) ?? 0) + node.hitCount);
  }
  return totals;
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
    '',
    renderTable(['src/ function (inclusive time)', 'ms', '% of busy'], rows(inclusiveOwnTime(profile))),
    '',
    renderTable(['nearest src/ function (self + library calls)', 'ms', '% of busy'], rows(nearestOwnTime(profile))),
  ].join('\n');
}

function busySamples(profile: CpuProfile): number {
  return profile.nodes.reduce((sum, node) => sum + (node.callFrame.functionName === '(idle)' ? 0 : node.hitCount ?? 0), 0);
}

/**
 * The summary of the busiest .cpuprofile in `directory` (the main thread;
 * `--cpu-prof` also writes one per worker thread, e.g. tsx's loader).
 */
export async function summarizeProfiles(directory: string, top = 15): Promise<string> {
  const files = (await readdir(directory)).filter((name) => name.endsWith('.cpuprofile'));
  let busiest: { path: string; profile: CpuProfile } | undefined;
  for (const name of files) {
    const path = join(directory, name);
    const profile = parseJson(await readFile(path, 'utf8'), `cpu profile ${name}`) as CpuProfile;
    if (!busiest || busySamples(profile) > busySamples(busiest.profile)) busiest = { path, profile };
  }
  return busiest ? `${busiest.path}\n\n${summarizeProfile(busiest.profile, top)}` : `no .cpuprofile in ${directory}`;
}

import { performance } from 'node:perf_hooks';

/*
 * The shared harness of the benchmark suites: a bounded call loop with a
 * warm-up, percentiles, and plain-text tables. Nothing here asserts a time;
 * the suites only report.
 */

/** One measured configuration: throughput and latency percentiles. */
export interface Measurement {
  /** What was measured, e.g. `openai SDK direct`. */
  name: string;
  /** Completed calls in the timed phase (warm-up excluded). */
  calls: number;
  /** Calls that threw or got a non-2xx answer. */
  errors: number;
  /** Completed calls per second of wall time. */
  requestsPerSecond: number;
  /** Latency percentiles in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  /** Optional extra columns (e.g. `upstream calls`). */
  extra?: Record<string, string | number>;
}

/** A ratio worth repeating in the final summary. */
export interface SummaryRatio {
  suite: string;
  label: string;
  value: number;
  /** How to read it, e.g. `> 1 means Switchyard is faster`. */
  note?: string;
}

/** What a suite hands back to the runner. */
export interface SuiteResult {
  ratios: SummaryRatio[];
}

/** Options of `measureCalls`. */
export interface MeasureCallsOptions {
  name: string;
  /** Timed calls. */
  calls: number;
  /** Calls in flight at once. */
  concurrency: number;
  /** Untimed calls made first (JIT, connection pools, caches). Default `min(200, calls)`. */
  warmupCalls?: number;
  /** One call; `index` counts from 0 within its phase. */
  call: (index: number) => Promise<unknown>;
  /** Runs between the warm-up and the timed phase (e.g. to zero counters). */
  afterWarmup?: () => Promise<void>;
}

/** The value at quantile `q` (0..1) of ascending `sorted` (nearest rank). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

async function runPhase(count: number, concurrency: number, call: (index: number) => Promise<unknown>, durations?: Float64Array) {
  let next = 0;
  let errors = 0;
  let firstError: unknown;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      const started = performance.now();
      try {
        await call(index);
      } catch (error) {
        errors += 1;
        firstError ??= error;
      }
      if (durations) durations[index] = performance.now() - started;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return { errors, firstError };
}

/**
 * Runs `call` a fixed number of times at a fixed concurrency, after a warm-up,
 * and returns throughput and latency percentiles. The loop is bounded by
 * `calls`; a failing call is counted, never retried.
 */
export async function measureCalls(options: MeasureCallsOptions): Promise<Measurement> {
  const warmup = options.warmupCalls ?? Math.min(200, options.calls);
  const warm = await runPhase(warmup, options.concurrency, options.call);
  if (warm.errors === warmup && warmup > 0) {
    throw new Error(`${options.name}: every warm-up call failed: ${describeError(warm.firstError)}`);
  }
  await options.afterWarmup?.();
  const durations = new Float64Array(options.calls);
  const started = performance.now();
  const timed = await runPhase(options.calls, options.concurrency, options.call, durations);
  const elapsedMs = performance.now() - started;
  durations.sort();
  return {
    name: options.name,
    calls: options.calls,
    errors: timed.errors,
    requestsPerSecond: options.calls / (elapsedMs / 1000),
    p50Ms: percentile(durations, 0.5),
    p99Ms: percentile(durations, 0.99),
    ...(timed.firstError !== undefined ? { extra: { 'first error': describeError(timed.firstError) } } : {}),
  };
}

/** A short description of a thrown value. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** `2.31x`, or `n/a` for a missing or infinite ratio. */
export function formatRatio(value: number): string {
  return Number.isFinite(value) && value > 0 ? `${value.toFixed(2)}x` : 'n/a';
}

/** A number with thousands separators and a fixed number of decimals. */
export function formatNumber(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Milliseconds with a precision that suits their size. */
export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

/** Bytes as MiB with one decimal. */
export function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * A Markdown table (readable as plain text too). `align` gives each column's
 * alignment; by default the first column is left-aligned and the others
 * right-aligned (numbers).
 */
export function renderTable(headers: string[], rows: string[][], align: ('left' | 'right')[] = []): string {
  const isLeft = (column: number) => (align[column] ?? (column === 0 ? 'left' : 'right')) === 'left';
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => (isLeft(column) ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (isLeft(column) ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/**
 * The standard table of measurements: req/s, p50, p99 and the throughput
 * ratio of each row against `baselineName` (and any extra columns).
 */
export function renderMeasurements(measurements: Measurement[], baselineName?: string): string {
  const baseline = measurements.find((measurement) => measurement.name === baselineName);
  const extraKeys = [...new Set(measurements.flatMap((measurement) => Object.keys(measurement.extra ?? {})))];
  const headers = ['configuration', 'req/s', 'p50 ms', 'p99 ms', 'errors', ...(baseline ? [`vs ${baseline.name}`] : []), ...extraKeys];
  const rows = measurements.map((measurement) => [
    measurement.name,
    formatNumber(measurement.requestsPerSecond),
    formatMs(measurement.p50Ms),
    formatMs(measurement.p99Ms),
    String(measurement.errors),
    ...(baseline ? [formatRatio(measurement.requestsPerSecond / baseline.requestsPerSecond)] : []),
    ...extraKeys.map((key) => String(measurement.extra?.[key] ?? '')),
  ]);
  return renderTable(headers, rows);
}

/** Prints a section heading and a table. */
export function printSection(title: string, table: string, notes: string[] = []): void {
  console.log(`\n### ${title}\n`);
  console.log(table);
  for (const note of notes) console.log(`\n${note}`);
}

/** Reads `--name=value` from argv, else `fallback`. */
export function numberFlag(argv: string[], name: string, fallback: number): number {
  const found = argv.find((argument) => argument.startsWith(`--${name}=`));
  if (!found) return fallback;
  const value = Number(found.slice(name.length + 3));
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, got "${found}"`);
  return value;
}

/** Settings shared by every suite, from the command line. */
export interface SuiteSettings {
  /** `--quick`: smaller counts and shorter durations, for a smoke run. */
  quick: boolean;
  /** Raw arguments, for suite-specific `--name=value` flags. */
  argv: string[];
}

/** One benchmark suite, run by bench/run.ts. */
export interface BenchSuite {
  /** The name used on the command line: `npm run bench -- <name>`. */
  name: string;
  /** One line on what it measures. */
  description: string;
  run(settings: SuiteSettings): Promise<SuiteResult>;
}

import type { Metric, Registry } from 'prom-client';
import { LabelledChildren } from './label-children.js';

/** One labelled counter series: recording is `child.value += n`, no allocation. */
export interface CounterChild {
  readonly labels: Readonly<Record<string, string>>;
  value: number;
}

/** One labelled histogram series: per-bucket (not cumulative) counts, sum and count. */
export interface HistogramChild {
  readonly labels: Readonly<Record<string, string>>;
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/** One exposition sample as prom-client's registry formats it. */
export interface FamilySample {
  labels: Readonly<Record<string, string | number>>;
  value: number;
  /** The sample's name when it differs from the family's (`_bucket`, `_sum`, `_count`). */
  metricName?: string;
}

/** What the registry reads from a family at scrape time. */
export interface FamilyValues {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: FamilySample[];
}

interface FamilyOptions {
  name: string;
  help: string;
  labelNames: string[];
  maxLabelSets: number;
}

/**
 * The base of our counter and histogram families: series live in plain
 * objects memoized per label set, and the family registers itself with a
 * prom-client Registry as a metric whose `get()` builds the exposition values
 * at scrape time. prom-client formats and escapes the text; the hot path never
 * enters prom-client (whose `inc`/`observe` allocate and hash labels per call).
 */
abstract class Family<Child extends { labels: Readonly<Record<string, string>> }> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: string[];
  readonly aggregator = 'sum' as const;
  abstract readonly type: 'counter' | 'histogram';
  protected readonly series: Child[] = [];
  readonly #children: LabelledChildren<Child>;

  constructor(registry: Registry, options: FamilyOptions) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.#children = new LabelledChildren(options.labelNames.length, (values) => {
      const labels: Record<string, string> = {};
      options.labelNames.forEach((labelName, index) => {
        labels[labelName] = values[index];
      });
      const child = this.createChild(labels);
      this.series.push(child);
      return child;
    }, options.maxLabelSets);
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series for these label values, in `labelNames` order. */
  child(first: string, second?: string, third?: string, fourth?: string): Child {
    return this.#children.get(first, second, third, fourth);
  }

  /** Drops every series. */
  reset(): void {
    this.series.length = 0;
    this.#children.clear();
  }

  protected abstract createChild(labels: Record<string, string>): Child;

  /** The registry's view: name, help, type and the sample values. */
  abstract get(): Promise<FamilyValues>;
}

/** A monotonically increasing counter family. */
export class CounterFamily extends Family<CounterChild> {
  readonly type = 'counter' as const;

  protected createChild(labels: Record<string, string>): CounterChild {
    return { labels, value: 0 };
  }

  async get(): Promise<FamilyValues> {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.series.map((child) => ({ labels: child.labels, value: child.value })),
    };
  }
}

/** A histogram family with fixed upper bounds (seconds). */
export class HistogramFamily extends Family<HistogramChild> {
  readonly type = 'histogram' as const;
  readonly upperBounds: readonly number[];

  constructor(registry: Registry, options: FamilyOptions & { buckets: number[] }) {
    super(registry, options);
    this.upperBounds = [...options.buckets].sort((a, b) => a - b);
  }

  /** Adds one observation to `child`. */
  observe(child: HistogramChild, value: number): void {
    const bounds = this.upperBounds;
    let index = 0;
    while (index < bounds.length && value > bounds[index]) index += 1;
    if (index < bounds.length) child.buckets[index] += 1;
    child.sum += value;
    child.count += 1;
  }

  protected createChild(labels: Record<string, string>): HistogramChild {
    return { labels, buckets: new Float64Array(this.upperBounds.length), sum: 0, count: 0 };
  }

  async get(): Promise<FamilyValues> {
    const values: FamilySample[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const child of this.series) {
      let cumulative = 0;
      this.upperBounds.forEach((bound, index) => {
        cumulative += child.buckets[index];
        values.push({ metricName: bucketName, labels: { ...child.labels, le: bound }, value: cumulative });
      });
      values.push({ metricName: bucketName, labels: { ...child.labels, le: '+Inf' }, value: child.count });
      values.push({ metricName: `${this.name}_sum`, labels: child.labels, value: child.sum });
      values.push({ metricName: `${this.name}_count`, labels: child.labels, value: child.count });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    };
  }
}

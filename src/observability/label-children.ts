/** The label value that stands in once a metric has too many label sets, and for unknown values. */
export const OTHER_LABEL = 'other';

const MAX_LABEL_LENGTH = 100;

/**
 * A memo of a metric's labelled children: `metric.labels(...)` runs once per
 * label set, later lookups are one Map read, so recording allocates nothing
 * but the key string. Past `maxLabelSets` distinct sets (a gateway fed
 * arbitrary model names) new sets collapse into one all-`other` child, so
 * cardinality stays bounded.
 */
export class LabelledChildren<Child> {
  // Nested maps, one level per label: lookups hash the caller's (usually interned) strings
  // instead of building and hashing a joined key on every record.
  readonly #root = new Map<string, unknown>();
  readonly #resolve: (values: string[]) => Child;
  readonly #maxLabelSets: number;
  readonly #arity: number;
  #size = 0;
  #overflow: Child | undefined;

  /** `resolve` turns label values (in the metric's `labelNames` order) into a child. */
  constructor(arity: number, resolve: (values: string[]) => Child, maxLabelSets = 1000) {
    if (arity < 1 || arity > 4) throw new RangeError(`LabelledChildren supports 1 to 4 labels, got ${arity}`);
    this.#arity = arity;
    this.#resolve = resolve;
    this.#maxLabelSets = maxLabelSets;
  }

  /** The child for these label values (pass exactly `arity` values). */
  get(first: string, second?: string, third?: string, fourth?: string): Child {
    const arity = this.#arity;
    let node = this.#root.get(first);
    if (arity > 1 && node !== undefined) node = (node as Map<string, unknown>).get(second as string);
    if (arity > 2 && node !== undefined) node = (node as Map<string, unknown>).get(third as string);
    if (arity > 3 && node !== undefined) node = (node as Map<string, unknown>).get(fourth as string);
    return node === undefined ? this.#create([first, second, third, fourth]) : (node as Child);
  }

  /** Number of distinct label sets created (the overflow child included). */
  get size(): number {
    return this.#size;
  }

  /** Forgets the memo (after the metric itself was reset). */
  clear(): void {
    this.#root.clear();
    this.#size = 0;
    this.#overflow = undefined;
  }

  #lookup(values: Array<string | undefined>): Child | undefined {
    let node: unknown = this.#root;
    for (let index = 0; index < this.#arity && node !== undefined; index += 1) {
      node = (node as Map<string, unknown>).get(values[index] as string);
    }
    return node as Child | undefined;
  }

  #store(values: Array<string | undefined>, child: Child): void {
    let level: Map<string, unknown> = this.#root;
    for (let index = 0; index < this.#arity - 1; index += 1) {
      const key = values[index] as string;
      let next = level.get(key) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(key, next);
      }
      level = next;
    }
    level.set(values[this.#arity - 1] as string, child);
  }

  #create(rawValues: Array<string | undefined>): Child {
    const values = rawValues.slice(0, this.#arity);
    const normalized = values.map(normalizeLabel);
    // Raw values that normalise alike ('' and 'other', long names with one prefix) share a child.
    const existing = this.#lookup(normalized);
    if (existing !== undefined) {
      this.#store(values, existing);
      return existing;
    }
    if (this.#size >= this.#maxLabelSets) {
      if (this.#overflow === undefined) {
        const others = values.map(() => OTHER_LABEL);
        this.#overflow = this.#lookup(others) ?? this.#resolve(others);
        this.#store(others, this.#overflow);
        this.#size += 1;
      }
      return this.#overflow;
    }
    const child = this.#resolve(normalized);
    this.#store(normalized, child);
    if (normalized.some((value, index) => value !== values[index])) this.#store(values, child);
    this.#size += 1;
    return child;
  }
}

function normalizeLabel(value: string | undefined): string {
  if (value === undefined || value.length === 0) return OTHER_LABEL;
  return value.length > MAX_LABEL_LENGTH ? value.slice(0, MAX_LABEL_LENGTH) : value;
}

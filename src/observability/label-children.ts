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
  readonly #children = new Map<string, Child>();
  readonly #resolve: (values: string[]) => Child;
  readonly #maxLabelSets: number;
  readonly #arity: number;

  /** `resolve` turns label values (in the metric's `labelNames` order) into a child. */
  constructor(arity: number, resolve: (values: string[]) => Child, maxLabelSets = 1000) {
    this.#arity = arity;
    this.#resolve = resolve;
    this.#maxLabelSets = maxLabelSets;
  }

  /** The child for these label values (pass exactly `arity` values). */
  get(first: string, second?: string, third?: string, fourth?: string): Child {
    const key =
      this.#arity === 1
        ? first
        : this.#arity === 2
          ? `${first}\u0001${second}`
          : this.#arity === 3
            ? `${first}\u0001${second}\u0001${third}`
            : `${first}\u0001${second}\u0001${third}\u0001${fourth}`;
    const cached = this.#children.get(key);
    if (cached !== undefined) return cached;
    return this.#create(key, [first, second, third, fourth].slice(0, this.#arity) as string[]);
  }

  /** Number of distinct label sets created. */
  get size(): number {
    return this.#children.size;
  }

  /** Forgets the memo (after the metric itself was reset). */
  clear(): void {
    this.#children.clear();
  }

  #create(key: string, values: string[]): Child {
    if (this.#children.size >= this.#maxLabelSets) {
      const overflowKey = '\u0000overflow';
      let overflow = this.#children.get(overflowKey);
      if (overflow === undefined) {
        overflow = this.#resolve(values.map(() => OTHER_LABEL));
        this.#children.set(overflowKey, overflow);
      }
      return overflow;
    }
    const child = this.#resolve(values.map(normalizeLabel));
    this.#children.set(key, child);
    return child;
  }
}

function normalizeLabel(value: string | undefined): string {
  if (value === undefined || value.length === 0) return OTHER_LABEL;
  return value.length > MAX_LABEL_LENGTH ? value.slice(0, MAX_LABEL_LENGTH) : value;
}

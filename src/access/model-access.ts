/**
 * Whether a model id (`provider/model`) matches one allowed pattern: the
 * exact id, `*` (everything), or a trailing `*` standing for any rest
 * (`openai/*`, `openai/gpt-4o*`). Linear in the lengths; no regular expression
 * is built from the pattern.
 */
export function matchesModelPattern(pattern: string, model: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return model.startsWith(pattern.slice(0, -1));
  return pattern === model;
}

/** Whether `model` is allowed by `patterns` (an empty list allows everything). */
export function isModelAllowed(patterns: readonly string[], model: string): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => matchesModelPattern(pattern, model));
}

const PATTERN = /^(\*|[a-z0-9][a-z0-9_-]*\/[^\s*]*\*?)$/;

/** Checks patterns from a CLI flag or the admin API; returns the bad ones. */
export function invalidModelPatterns(patterns: readonly string[]): string[] {
  return patterns.filter((pattern) => !PATTERN.test(pattern) || pattern.length > 200);
}

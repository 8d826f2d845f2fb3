// A strict parser of the Prometheus text exposition format, shared by the metrics tests.
/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
/** A metric family from its HELP and TYPE lines. */
export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
}
/** A parsed exposition. */
export interface Exposition {
  families: Map<string, Family>;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SUFFIXES: Record<Family['type'], string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

/** A strict parser of the Prometheus text format 0.0.4: throws on anything malformed. */
export function parseExposition(text: string): Exposition {
  const families = new Map<string, Family>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const pendingHelp = new Map<string, string>();
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const lines = text.split('\n').slice(0, -1);
  lines.forEach((line, index) => {
    const where = `line ${index + 1}: ${line}`;
    if (line === '') return;
    if (line.startsWith('# HELP ')) {
      const match = /^# HELP (\S+) (.*)$/.exec(line);
      if (match === null || !METRIC_NAME.test(match[1])) throw new Error(`bad HELP, ${where}`);
      if (pendingHelp.has(match[1]) || families.has(match[1])) throw new Error(`duplicate HELP, ${where}`);
      pendingHelp.set(match[1], match[2]);
      return;
    }
    if (line.startsWith('# TYPE ')) {
      const match = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (match === null) throw new Error(`bad TYPE, ${where}`);
      const help = pendingHelp.get(match[1]);
      if (help === undefined) throw new Error(`TYPE without HELP, ${where}`);
      if (families.has(match[1])) throw new Error(`duplicate TYPE, ${where}`);
      families.set(match[1], { name: match[1], help, type: match[2] as Family['type'] });
      return;
    }
    if (line.startsWith('#')) throw new Error(`unexpected comment, ${where}`);
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
    if (match === null) throw new Error(`bad sample, ${where}`);
    const [, name, , labelText, valueText] = match;
    const labels = parseLabels(labelText ?? '', where);
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : valueText === 'NaN' ? NaN : Number(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') throw new Error(`bad value, ${where}`);
    const family = [...families.values()].find((candidate) =>
      SUFFIXES[candidate.type].some((suffix) => name === candidate.name + suffix),
    );
    if (family === undefined) throw new Error(`sample before its TYPE, ${where}`);
    if (name.endsWith('_bucket') && family.type === 'histogram' && labels.le === undefined) throw new Error(`bucket without le, ${where}`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`duplicate sample, ${where}`);
    seen.add(key);
    samples.push({ name, labels, value });
  });
  if (pendingHelp.size !== families.size) throw new Error('HELP without TYPE');
  return { families, samples };
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const match = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/.exec(rest);
    if (match === null || !LABEL_NAME.test(match[1])) throw new Error(`bad labels, ${where}`);
    if (match[1] in labels) throw new Error(`duplicate label, ${where}`);
    labels[match[1]] = match[2].replace(/\\(["\\n])/g, (_, character: string) => (character === 'n' ? '\n' : character));
    rest = rest.slice(match[0].length);
  }
  return labels;
}

/** The sum of the samples of `name` whose labels include `labels`. */
export function sum(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  return exposition.samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((total, sample) => total + sample.value, 0);
}


/** One sample of the Prometheus text exposition format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** Parses the text format (comments and blank lines skipped). */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) continue;
    const [, name = '', labelText = '', valueText = ''] = match;
    const labels: Record<string, string> = {};
    for (const pair of labelText.matchAll(LABEL_PAIR)) {
      labels[pair[1] ?? ''] = unescapeLabel(pair[2] ?? '');
    }
    samples.push({ name, labels, value: parseValue(valueText) });
  }
  return samples;
}

/** Sum of every series of `name` (e.g. a counter over all its label values); 0 when absent. */
export function sumOf(samples: readonly Sample[], name: string): number {
  let total = 0;
  for (const sample of samples) if (sample.name === name) total += sample.value;
  return total;
}

export interface HistogramTotals {
  readonly sumSeconds: number;
  readonly count: number;
}

/** A histogram's `_sum` and `_count` per value of `label`, in first-seen order. */
export function histogramByLabel(
  samples: readonly Sample[],
  name: string,
  label: string,
): Map<string, HistogramTotals> {
  const out = new Map<string, HistogramTotals>();
  for (const sample of samples) {
    const isSum = sample.name === `${name}_sum`;
    if (!isSum && sample.name !== `${name}_count`) continue;
    const key = sample.labels[label] ?? '(none)';
    const current = out.get(key) ?? { sumSeconds: 0, count: 0 };
    out.set(
      key,
      isSum
        ? { ...current, sumSeconds: current.sumSeconds + sample.value }
        : { ...current, count: current.count + sample.value },
    );
  }
  return out;
}

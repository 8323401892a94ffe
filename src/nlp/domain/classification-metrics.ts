import { type SentimentLabel } from './sentiment';

/** Label order of confusion matrices: rows are the human label, columns the prediction. */
export const LABEL_ORDER: readonly SentimentLabel[] = ['negative', 'neutral', 'positive'];

export interface LabelledRow {
  readonly text: string;
  readonly label: SentimentLabel;
}

/**
 * Parses a labelled TSV with a `text<TAB>label` header (the GoEmotions
 * sentiment files); labels are positive, negative or neutral. Throws on a
 * row it cannot read, naming its line, rather than training on less.
 */
export function parseLabelledTsv(content: string): LabelledRow[] {
  const lines = content.split(/\r?\n/);
  if (lines[0] !== 'text\tlabel') throw new Error('expected the header "text<TAB>label"');
  const rows: LabelledRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const tab = line.lastIndexOf('\t');
    const label = line.slice(tab + 1);
    if (tab < 0 || !LABEL_ORDER.includes(label as SentimentLabel)) {
      throw new Error(`line ${i + 1}: expected text<TAB>positive|negative|neutral`);
    }
    rows.push({ text: line.slice(0, tab), label: label as SentimentLabel });
  }
  return rows;
}

export interface ClassificationReport {
  readonly items: number;
  readonly accuracy: number;
  readonly macroF1: number;
  /** Per label, in LABEL_ORDER. */
  readonly f1: readonly number[];
  /** confusion[human][predicted], in LABEL_ORDER. */
  readonly confusion: readonly (readonly number[])[];
}

export function classificationReport(
  truth: readonly SentimentLabel[],
  predicted: readonly SentimentLabel[],
): ClassificationReport {
  const confusion = LABEL_ORDER.map(() => LABEL_ORDER.map(() => 0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const row = LABEL_ORDER.indexOf(truth[i]!);
    const column = LABEL_ORDER.indexOf(predicted[i]!);
    confusion[row]![column]!++;
    if (row === column) correct++;
  }
  const f1 = LABEL_ORDER.map((_, k) => {
    const truePositives = confusion[k]![k]!;
    const predictedK = confusion.reduce((sum, row) => sum + row[k]!, 0);
    const actualK = confusion[k]!.reduce((sum, n) => sum + n, 0);
    const denominator = predictedK + actualK;
    return denominator === 0 ? 0 : (2 * truePositives) / denominator;
  });
  return {
    items: truth.length,
    accuracy: truth.length === 0 ? NaN : correct / truth.length,
    macroF1: f1.reduce((sum, value) => sum + value, 0) / f1.length,
    f1,
    confusion,
  };
}

/** The confusion matrix as aligned text lines, for benchmark and training output. */
export function formatConfusion(report: ClassificationReport): string[] {
  const width = Math.max(10, ...report.confusion.flat().map((n) => String(n).length + 1));
  const head = 'human \\ model'.padEnd(14) + LABEL_ORDER.map((l) => l.padStart(width)).join('');
  return [
    head,
    ...report.confusion.map(
      (row, k) => LABEL_ORDER[k]!.padEnd(14) + row.map((n) => String(n).padStart(width)).join(''),
    ),
  ];
}

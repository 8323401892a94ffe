import { analyzeRedditText } from './analysis';
import {
  classificationReport,
  type ClassificationReport,
  type LabelledRow,
} from './classification-metrics';
import { type SentimentScorer } from './sentiment';

/**
 * How a scorer does on human-labelled comments, each read as the pipeline
 * reads a comment body (prepared, language checked, scored). Text it gives
 * no score (not English) counts as neutral. Training, the benchmark and the
 * accuracy test all judge through this one function.
 */
export function evaluateOnComments(
  scorer: SentimentScorer,
  rows: readonly LabelledRow[],
): ClassificationReport {
  return classificationReport(
    rows.map((row) => row.label),
    rows.map((row) => analyzeRedditText({ body: row.text }, scorer).sentiment?.label ?? 'neutral'),
  );
}

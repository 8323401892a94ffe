export type SentimentLabel = 'positive' | 'neutral' | 'negative';

export interface Sentiment {
  /** Normalised score in [-1, 1]. */
  readonly score: number;
  readonly label: SentimentLabel;
}

/** The three-class rule used across the product: ±0.05 around zero is neutral. */
export function labelFor(score: number): SentimentLabel {
  if (score >= 0.05) return 'positive';
  if (score <= -0.05) return 'negative';
  return 'neutral';
}

/**
 * Squashes an unbounded sum of word valences into [-1, 1]; alpha sets how fast
 * it saturates (15 is the constant the VADER paper uses for the same purpose).
 */
export function normaliseValence(sum: number, alpha = 15): number {
  if (sum === 0) return 0;
  const score = sum / Math.sqrt(sum * sum + alpha);
  return Math.max(-1, Math.min(1, score));
}

/** Scores one text. Implementations are pure and synchronous: they run on the hot path. */
export abstract class SentimentScorer {
  /** null when there is no text to score (empty, deleted or removed). */
  abstract score(text: string): Sentiment | null;
}

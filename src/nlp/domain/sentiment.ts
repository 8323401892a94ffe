export type SentimentLabel = 'positive' | 'neutral' | 'negative';

export interface Sentiment {
  /** Normalised score in [-1, 1] (for VADER, the compound score). */
  readonly score: number;
  readonly label: SentimentLabel;
  /** Shares of the text that read positive, neutral and negative; they sum to 1. */
  readonly positive?: number;
  readonly neutral?: number;
  readonly negative?: number;
  /** True when the text exceeded the scorer's character budget and only its start was scored. */
  readonly truncated?: boolean;
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
  /** Character budget: longer texts are scored on their start only. */
  abstract readonly maxChars: number;
  /** null when there is no text to score (empty, deleted or removed). */
  abstract score(text: string): Sentiment | null;
}

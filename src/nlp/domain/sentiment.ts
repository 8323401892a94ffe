export type SentimentLabel = 'positive' | 'neutral' | 'negative';

export interface ClassProbabilities {
  readonly positive: number;
  readonly neutral: number;
  readonly negative: number;
}

/** VADER's reading of a text: its compound score and the shares of positive, neutral and negative text (summing to 1). */
export interface LexiconReading {
  readonly compound: number;
  readonly positive: number;
  readonly neutral: number;
  readonly negative: number;
}

export interface Sentiment {
  /**
   * Which scorer produced this: "vader", or "reddit-" and the trained
   * model's id, so a change of model is visible wherever the score is stored.
   */
  readonly model: string;
  /** Score in [-1, 1]: VADER's compound, or P(positive) − P(negative) for a trained model. */
  readonly score: number;
  readonly label: SentimentLabel;
  /** Class probabilities; only trained models have them. */
  readonly probabilities?: ClassProbabilities;
  /** VADER's reading of the same text (for VADER itself, its own result). */
  readonly lexicon: LexiconReading;
  /** True when the text exceeded the scorer's character budget and only its start was scored. */
  readonly truncated: boolean;
}

/** The three-class rule for continuous scores: ±0.05 around zero is neutral. */
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
  /** The model name stored with every score ("vader", "reddit-1a2b3c4d"). */
  abstract readonly model: string;
  /** null when there is no text to score (empty, deleted or removed). */
  abstract score(text: string): Sentiment | null;
}

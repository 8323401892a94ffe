import { type Sentiment, SentimentScorer } from '../sentiment';
import { cutToBudget } from '../text-budget';
import { DEFAULT_MAX_CHARS, VaderSentimentScorer } from '../vader/vader-sentiment.scorer';
import { type LinearWeights } from './feature-layout';
import { SentimentFeatureExtractor } from './features';
import { CLASSES, type RedditSentimentModel } from './reddit-sentiment.model';
import { loadWordLexicons, type WordLexicons } from './word-lexicons';

export interface RedditSentimentScorerOptions {
  /** Character budget: longer texts are scored on their start, cut at a word. */
  readonly maxChars?: number;
  /** Defaults to the lexicons shipped with natural; they must be the ones the model was trained with. */
  readonly lexicons?: WordLexicons;
}

/**
 * The product's sentiment: a logistic regression trained on human-labelled
 * Reddit comments, reading hashed words, bigrams and character grams plus
 * VADER's own scores of the same text. The label is the most probable class;
 * the score, P(positive) − P(negative), is in [-1, 1] and is what windows
 * average. VADER's reading is reported beside it.
 *
 * Synchronous, and its buffers are reused: one instance per thread.
 */
export class RedditSentimentScorer extends SentimentScorer {
  readonly maxChars: number;
  readonly model: string;
  private readonly vader: VaderSentimentScorer;
  private readonly extractor: SentimentFeatureExtractor;
  private readonly probabilities = new Float64Array(CLASSES.length);
  private readonly sums = new Float64Array(6);
  private readonly linearWeights: LinearWeights;

  constructor(
    private readonly weights: RedditSentimentModel,
    options: RedditSentimentScorerOptions = {},
  ) {
    super();
    this.maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
    this.vader = new VaderSentimentScorer({ maxChars: this.maxChars });
    this.extractor = new SentimentFeatureExtractor(
      weights.features,
      options.lexicons ?? loadWordLexicons(),
    );
    this.model = weights.id;
    this.linearWeights = weights.linearWeights;
  }

  override score(text: string): Sentiment | null {
    const trimmed = text.trim();
    const budgeted = cutToBudget(trimmed, this.maxChars);
    const lexicon = this.vader.score(budgeted);
    if (lexicon === null) return null;
    const p = this.probabilities;
    this.extractor.accumulate(budgeted, lexicon, this.linearWeights, this.sums);
    this.weights.probabilitiesFromSums(this.sums, p);
    const negative = p[0]!;
    const neutral = p[1]!;
    const positive = p[2]!;
    const label =
      positive >= neutral && positive >= negative
        ? 'positive'
        : negative > neutral
          ? 'negative'
          : 'neutral';
    return {
      model: this.model,
      score: positive - negative,
      label,
      probabilities: { negative, neutral, positive },
      lexicon: lexicon.lexicon,
      truncated: budgeted.length < trimmed.length,
    };
  }
}

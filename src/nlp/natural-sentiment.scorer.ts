// Deep imports on purpose: natural's package root also loads its storage
// back-ends, which read a .env file into process.env as a side effect.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is `export =`
import SentimentAnalyzer = require('natural/lib/natural/sentiment/SentimentAnalyzer');
import { WordTokenizer } from 'natural/lib/natural/tokenizers/regexp_tokenizer';
import { labelFor, normaliseValence, type Sentiment, SentimentScorer } from './domain/sentiment';

const UNSCORABLE = new Set(['[deleted]', '[removed]']);

/**
 * First sentiment engine: natural's AFINN-165 word valences with its negation
 * handling, summed and normalised to [-1, 1]. Fast and simple; a more accurate
 * social-media scorer can replace it behind the same port.
 */
export class NaturalSentimentScorer extends SentimentScorer {
  private readonly tokenizer = new WordTokenizer();
  private readonly analyzer = new SentimentAnalyzer('English', undefined, 'afinn');

  score(text: string): Sentiment | null {
    const trimmed = text.trim();
    if (trimmed === '' || UNSCORABLE.has(trimmed)) return null;
    const tokens = this.tokenizer.tokenize(trimmed.toLowerCase());
    if (tokens.length === 0) return null;
    // natural returns the mean valence per token; the sum is what carries intensity.
    const sum = this.analyzer.getSentiment(tokens) * tokens.length;
    const score = normaliseValence(sum);
    return { score, label: labelFor(score) };
  }
}

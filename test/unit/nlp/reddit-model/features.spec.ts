import {
  DENSE_FEATURE_NAMES,
  type FeatureOptions,
} from '@app/nlp/domain/reddit-model/feature-layout';
import { SentimentFeatureExtractor } from '@app/nlp/domain/reddit-model/features';
import { mix } from '@app/nlp/domain/reddit-model/word-hash';
import { buildWordLexicons } from '@app/nlp/domain/reddit-model/word-lexicons';
import { type VaderSentiment } from '@app/nlp/domain/vader/vader-sentiment.scorer';

/** FNV-1a over a string's code units, written out independently of the extractor. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return hash;
}

const BITS = 16;
const MASK = (1 << BITS) - 1;
const unigram = (word: string): number => mix(fnv1a(word) ^ 0x2b1c3d4e) & MASK;
const bigram = (previous: number, hash: number): number =>
  mix(Math.imul(previous, 0x9e3779b1) ^ hash ^ 0x6a09e667) & MASK;
const START = 0x01000193;
const END = 0x5be0cd19;

const neutralReading: VaderSentiment = {
  model: 'vader',
  score: 0.25,
  label: 'positive',
  positive: 0.3,
  neutral: 0.6,
  negative: 0.1,
  lexicon: { compound: 0.25, positive: 0.3, neutral: 0.6, negative: 0.1 },
  truncated: false,
};

/** The features as a map index -> summed value. */
function featuresOf(
  extractor: SentimentFeatureExtractor,
  text: string,
  reading: VaderSentiment = neutralReading,
): Map<number, number> {
  const vector = extractor.extract(text, reading);
  const map = new Map<number, number>();
  for (let i = 0; i < vector.length; i++) {
    const index = vector.indices[i]!;
    map.set(index, (map.get(index) ?? 0) + vector.values[i]!);
  }
  return map;
}

const lexicons = buildWordLexicons(
  { good: { pol: '0.5' }, bad: { pol: '-0.75' }, well_known: { pol: '1' } },
  { great: { polarity: '0.8', subjectivity: '0.75' }, red: { polarity: '0', subjectivity: '0' } },
);
const extractor = (options: Omit<FeatureOptions, 'lexicons'>): SentimentFeatureExtractor =>
  new SentimentFeatureExtractor({ ...options, lexicons: lexicons.digest }, lexicons);

describe('SentimentFeatureExtractor', () => {
  const words = extractor({ hashBits: BITS, charGramWeight: 0 });
  const dense = (name: string): number => (1 << BITS) + DENSE_FEATURE_NAMES.indexOf(name);

  it('hashes lower-cased words and bigrams with start and end markers, scaled to unit length', () => {
    const features = featuresOf(words, 'Good movie');
    const good = fnv1a('good');
    const movie = fnv1a('movie');
    // 2 unigrams + 3 bigrams (start-good, good-movie, movie-end): each 1 / sqrt(5).
    const expected = [
      unigram('good'),
      unigram('movie'),
      bigram(START, good),
      bigram(good, movie),
      bigram(movie, END),
    ];
    for (const index of expected) {
      expect(features.get(index)).toBeCloseTo(1 / Math.sqrt(5), 6);
    }
    const hashed = [...features.keys()].filter((index) => index < 1 << BITS);
    expect(new Set(hashed)).toEqual(new Set(expected));
  });

  it('puts VADER and the text statistics in the dense features', () => {
    const features = featuresOf(words, 'WOW this is GREAT!! really?');
    expect(features.get(dense('vader_compound'))).toBeCloseTo(0.25, 6);
    expect(features.get(dense('vader_positive'))).toBeCloseTo(0.3, 6);
    expect(features.get(dense('vader_neutral'))).toBeCloseTo(0.6, 6);
    expect(features.get(dense('vader_negative'))).toBeCloseTo(0.1, 6);
    // 5 words: floor(log2 5) = 2. Two "!", one "?", two ALL-CAPS words; each capped at 3.
    expect(features.get(dense('words_log2_2'))).toBe(1);
    expect(features.get(dense('exclamations'))).toBeCloseTo(2 / 3, 6);
    expect(features.get(dense('questions'))).toBeCloseTo(1 / 3, 6);
    expect(features.get(dense('caps_words'))).toBeCloseTo(2 / 3, 6);
  });

  it('reads contractions with either apostrophe as one word, and case does not matter', () => {
    expect(featuresOf(words, "don't")).toEqual(featuresOf(words, 'DON\u2019T'.toLowerCase()));
    expect(featuresOf(words, "don't").has(unigram("don't"))).toBe(true);
    expect(featuresOf(words, 'Great').get(unigram('great'))).toBeDefined();
  });

  it('makes "!" and emoji words of their own', () => {
    const features = featuresOf(words, 'nice!\u{1F602}');
    const bang = Math.imul(0x811c9dc5 ^ 33, 16777619);
    const emoji = Math.imul(0x811c9dc5 ^ 0x1f602, 16777619);
    expect(features.has(mix(bang ^ 0x2b1c3d4e) & MASK)).toBe(true);
    expect(features.has(mix(emoji ^ 0x2b1c3d4e) & MASK)).toBe(true);
    // nice, !, emoji: 3 unigrams + 4 bigrams.
    expect(features.get(unigram('nice'))).toBeCloseTo(1 / Math.sqrt(7), 6);
  });

  it('adds character 4-grams of the framed, lower-cased text at their weight', () => {
    const withChars = extractor({ hashBits: BITS, charGramWeight: 0.5 });
    // "Ab" framed as " ab ": one 4-gram; words: 1 unigram + 2 bigrams.
    const features = featuresOf(withChars, 'Ab');
    let gram = 0x811c9dc5;
    for (const c of ' ab ') gram = Math.imul(gram ^ c.charCodeAt(0), 16777619);
    const norm = Math.sqrt(3 + 0.5 * 0.5 * 1);
    expect(features.get(mix(gram ^ 0x3c6ef372) & MASK)).toBeCloseTo(0.5 / norm, 6);
    expect(features.get(unigram('ab'))).toBeCloseTo(1 / norm, 6);
  });

  it('reads what the word lexicons say, per word of the text', () => {
    // 5 words; "good" +0.5 and "bad" -0.75 in the polarity lexicon, "great" and "red" adjectives.
    const features = featuresOf(words, 'Good, bad, GREAT red car');
    expect(features.get(dense('senticon_positive'))).toBeCloseTo(0.5 / 5, 6);
    expect(features.get(dense('senticon_negative'))).toBeCloseTo(0.75 / 5, 6);
    expect(features.get(dense('senticon_coverage'))).toBeCloseTo(2 / 5, 6);
    expect(features.get(dense('pattern_polarity'))).toBeCloseTo(0.8 / 2, 6);
    expect(features.get(dense('pattern_subjectivity'))).toBeCloseTo(0.75 / 2, 6);
    expect(features.get(dense('pattern_coverage'))).toBeCloseTo(2 / 5, 6);
    // Multi-word entries never match a single word.
    expect(lexicons.polarityWords).toBe(2);
  });

  it('refuses a hashed space it cannot index, and lexicons other than the trained ones', () => {
    expect(() => extractor({ hashBits: 30, charGramWeight: 0 })).toThrow(RangeError);
    const other = buildWordLexicons({ good: { pol: '0.4' } }, {});
    expect(
      () =>
        new SentimentFeatureExtractor(
          { hashBits: BITS, charGramWeight: 0, lexicons: lexicons.digest },
          other,
        ),
    ).toThrow(/retrain with npm run train:sentiment/);
  });
});

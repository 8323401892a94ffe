/**
 * Where each feature of the Reddit model lives: the hashed space, then the
 * dense features in a fixed order. The model file, training and scoring all
 * read this layout; changing it means retraining.
 */

/** How a model's features were made; recorded in its file. */
export interface FeatureOptions {
  /** The hashed space has 2^hashBits buckets. */
  readonly hashBits: number;
  /** Weight of one character 4-gram relative to one word or bigram; 0 leaves them out. */
  readonly charGramWeight: number;
  /** The digest of the word lexicons the model was trained with (WordLexicons.digest). */
  readonly lexicons: string;
}

/** Dense features, in index order after the hashed space. */
export const DENSE_FEATURE_NAMES: readonly string[] = [
  'vader_compound',
  'vader_positive',
  'vader_neutral',
  'vader_negative',
  ...Array.from({ length: 8 }, (_, bin) => `words_log2_${bin}`),
  'exclamations',
  'questions',
  'caps_words',
  ...Array.from({ length: 8 }, (_, bin) => `vader_compound_bin_${bin}`),
  'senticon_positive',
  'senticon_negative',
  'senticon_coverage',
  'pattern_polarity',
  'pattern_subjectivity',
  'pattern_coverage',
];

/**
 * Character grams are read from the first this-many characters only: they
 * matter for short comments (misspellings, "soooo", emoticons), while a long
 * post has words enough, and grams of every character would make its cost
 * grow with its length for little gain. Training comments are shorter.
 */
export const CHAR_GRAM_CHARS = 256;

/** Word count bins: log2 of the count, 0 … 7 (128 words and more share the last). */
export const LENGTH_BINS = 8;
export const DENSE_LENGTH = 4;
export const DENSE_EXCLAMATIONS = DENSE_LENGTH + LENGTH_BINS;
export const DENSE_QUESTIONS = DENSE_EXCLAMATIONS + 1;
export const DENSE_CAPS = DENSE_QUESTIONS + 1;
export const DENSE_COMPOUND_BINS = DENSE_CAPS + 1;
export const COMPOUND_BINS = 8;
export const DENSE_LEXICONS = DENSE_COMPOUND_BINS + COMPOUND_BINS;
/** Counts of "!", "?" and caps words saturate here: three is already shouting. */
export const COUNT_CAP = 3;

// Seeds keep unigrams, bigrams and character grams in different places of the hashed space.
export const UNIGRAM_SEED = 0x2b1c3d4e;
export const BIGRAM_SEED = 0x6a09e667;
export const CHAR_SEED = 0x3c6ef372;
export const START_HASH = 0x01000193;
export const END_HASH = 0x5be0cd19;

/** A linear model's weights, read as features are found when scoring (no vector is built). */
export interface LinearWeights {
  /** hashedSize × 3, feature-major; the model scales the sums per class. */
  readonly hashed: Int8Array;
  /** denseSize × 3, feature-major. */
  readonly dense: Float32Array;
}

/** One text's features: the first `length` entries of the buffers. */
export interface FeatureVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
  readonly length: number;
}

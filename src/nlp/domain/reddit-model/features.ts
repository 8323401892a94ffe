import { isEmojiStart } from '../characters';
import { type VaderSentiment } from '../vader/vader-sentiment.scorer';
import { FNV_OFFSET, FNV_PRIME, mix } from './word-hash';
import { type WordLexicons } from './word-lexicons';
import {
  BIGRAM_SEED,
  CHAR_GRAM_CHARS,
  CHAR_SEED,
  COMPOUND_BINS,
  COUNT_CAP,
  DENSE_CAPS,
  DENSE_COMPOUND_BINS,
  DENSE_EXCLAMATIONS,
  DENSE_FEATURE_NAMES,
  DENSE_LENGTH,
  DENSE_LEXICONS,
  DENSE_QUESTIONS,
  END_HASH,
  type FeatureOptions,
  type FeatureVector,
  LENGTH_BINS,
  type LinearWeights,
  START_HASH,
  UNIGRAM_SEED,
} from './feature-layout';

/**
 * The features the Reddit sentiment model reads from one prepared text:
 *
 * - hashed word unigrams and bigrams (with start and end markers), words
 *   lower-cased, "don't" kept whole, emoji and "!" / "?" as words of their own;
 * - hashed character 4-grams of the lower-cased text, which catch spelling
 *   variants, elongations ("soooo") and emoticons that words miss;
 * - dense features after the hashed space: VADER's compound (as a value and
 *   one-hot in eight bins) and its positive, neutral and negative shares, the
 *   length (log2 of the word count, one-hot), capped counts of "!", "?" and
 *   ALL-CAPS words, and what two word lexicons
 *   say (positive and negative polarity per word, mean subjectivity and
 *   polarity of the adjectives found, and how many words each knows).
 *
 * The hashed part is scaled to unit length as if no feature repeated, so a
 * long comment does not outvote its own VADER reading. Training and scoring
 * both run this one extractor, which is what keeps them consistent.
 *
 * Buffers are reused across calls (the hot path allocates nothing per text);
 * one extractor per thread.
 */
export class SentimentFeatureExtractor {
  readonly hashedSize: number;
  readonly denseSize = DENSE_FEATURE_NAMES.length;
  /** Hashed buckets plus dense features. */
  readonly dimensions: number;
  private readonly mask: number;
  private readonly charGramWeight: number;

  private indices = new Int32Array(256);
  private values = new Float32Array(256);
  private count = 0;
  private wordFeatures = 0;
  private charFeatures = 0;
  // Token statistics of the current text.
  private wordCount = 0;
  private exclamations = 0;
  private questions = 0;
  private capsWords = 0;
  private previous = START_HASH;
  // Lexicon sums of the current text.
  private positive = 0;
  private negative = 0;
  private polarityWords = 0;
  private adjectivePolarity = 0;
  private adjectiveSubjectivity = 0;
  private adjectives = 0;
  // Scoring without a vector: the weights read, and the per-class sums (hashed 0-2, dense 3-5).
  private target: LinearWeights | null = null;
  private sums = new Float64Array(6);

  constructor(
    readonly options: FeatureOptions,
    private readonly lexicons: WordLexicons,
  ) {
    if (options.lexicons !== lexicons.digest) {
      throw new Error(
        `the model was trained with word lexicons ${options.lexicons}, but the installed natural package has ${lexicons.digest}; retrain with npm run train:sentiment`,
      );
    }
    if (!Number.isInteger(options.hashBits) || options.hashBits < 4 || options.hashBits > 24) {
      throw new RangeError(`hashBits must be an integer in 4 … 24, got ${options.hashBits}`);
    }
    this.hashedSize = 1 << options.hashBits;
    this.mask = this.hashedSize - 1;
    this.dimensions = this.hashedSize + this.denseSize;
    this.charGramWeight = options.charGramWeight;
  }

  /**
   * Features of `text` (already prepared and cut to the scorer's budget) with
   * VADER's reading of the same text. The returned buffers are overwritten
   * by the next call.
   */
  extract(text: string, vader: VaderSentiment): FeatureVector {
    this.target = null;
    this.run(text, vader);
    return { indices: this.indices, values: this.values, length: this.count };
  }

  /**
   * What `extract` gives, already multiplied by `weights`: out[k] is the
   * hashed features' dot product with class k's weights (before the model's
   * per-class scale), out[3 + k] the dense features'. The scoring path: no
   * vector is stored and read back. Equal to the dot products of `extract`'s
   * vector up to float rounding.
   */
  accumulate(text: string, vader: VaderSentiment, weights: LinearWeights, out: Float64Array): void {
    this.target = weights;
    this.sums.fill(0);
    try {
      this.run(text, vader);
    } finally {
      this.target = null;
    }
    out.set(this.sums);
  }

  private run(text: string, vader: VaderSentiment): void {
    this.count = 0;
    this.wordFeatures = 0;
    this.charFeatures = 0;
    this.positive = 0;
    this.negative = 0;
    this.polarityWords = 0;
    this.adjectivePolarity = 0;
    this.adjectiveSubjectivity = 0;
    this.adjectives = 0;
    this.words(text);
    if (this.charGramWeight > 0) this.charGrams(text);

    // Scale the hashed part to unit length (as if no feature repeated).
    const total = this.wordFeatures + this.charGramWeight ** 2 * this.charFeatures;
    if (total > 0) {
      const scale = 1 / Math.sqrt(total);
      if (this.target !== null) {
        for (let k = 0; k < 3; k++) this.sums[k] = this.sums[k]! * scale;
      } else {
        const values = this.values;
        for (let i = 0; i < this.count; i++) values[i] = values[i]! * scale;
      }
    }

    const dense = this.hashedSize;
    this.push(dense, vader.score);
    this.push(dense + 1, vader.positive);
    this.push(dense + 2, vader.neutral);
    this.push(dense + 3, vader.negative);
    const lengthBin = Math.min(LENGTH_BINS - 1, Math.floor(Math.log2(Math.max(1, this.wordCount))));
    this.push(dense + DENSE_LENGTH + lengthBin, 1);
    this.push(dense + DENSE_EXCLAMATIONS, Math.min(this.exclamations, COUNT_CAP) / COUNT_CAP);
    this.push(dense + DENSE_QUESTIONS, Math.min(this.questions, COUNT_CAP) / COUNT_CAP);
    this.push(dense + DENSE_CAPS, Math.min(this.capsWords, COUNT_CAP) / COUNT_CAP);
    // VADER's compound one-hot in eight bins as well: its effect on the odds need not be linear.
    const bin = Math.min(COMPOUND_BINS - 1, Math.floor(((vader.score + 1) / 2) * COMPOUND_BINS));
    this.push(dense + DENSE_COMPOUND_BINS + bin, 1);
    const words = Math.max(1, this.wordCount);
    const adjectives = Math.max(1, this.adjectives);
    this.push(dense + DENSE_LEXICONS, this.positive / words);
    this.push(dense + DENSE_LEXICONS + 1, this.negative / words);
    this.push(dense + DENSE_LEXICONS + 2, this.polarityWords / words);
    this.push(dense + DENSE_LEXICONS + 3, this.adjectivePolarity / adjectives);
    this.push(dense + DENSE_LEXICONS + 4, this.adjectiveSubjectivity / adjectives);
    this.push(dense + DENSE_LEXICONS + 5, this.adjectives / words);
  }

  /**
   * Words and bigrams, hashed as they are read: no substrings are made. The
   * per-character state stays in locals (a closure over them would move them
   * to the heap); the per-token state is in fields.
   */
  private words(text: string): void {
    this.wordCount = 0;
    this.exclamations = 0;
    this.questions = 0;
    this.capsWords = 0;
    this.previous = START_HASH;
    let hash = FNV_OFFSET;
    let inWord = false;
    let upper = 0;
    let lower = 0;
    const length = text.length;
    for (let i = 0; i < length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 65 && c <= 90) {
        upper++;
        c += 32;
      } else if (c >= 97 && c <= 122) {
        lower++;
      } else if (c >= 48 && c <= 57) {
        // digits are word characters
      } else if ((c === 39 || c === 0x2019) && inWord && isLetter(text.charCodeAt(i + 1))) {
        c = 39; // "don't" and "don’t" are one word
      } else if (c >= 0xc0 && isLetter(c)) {
        if (c <= 0xde && c !== 0xd7) c += 32;
      } else {
        if (inWord) {
          this.token(hash, true, upper >= 2 && lower === 0);
          inWord = false;
        }
        if (c === 33 || c === 63) {
          if (c === 33) this.exclamations++;
          else this.questions++;
          this.token(Math.imul(FNV_OFFSET ^ c, FNV_PRIME), false, false);
        } else if (isEmojiStart(c)) {
          const codePoint = text.codePointAt(i) ?? c;
          if (codePoint > 0xffff) i++;
          // Skin tones and the variation selector are part of the emoji, not emoji of their own.
          if (!(codePoint >= 0x1f3fb && codePoint <= 0x1f3ff)) {
            this.token(Math.imul(FNV_OFFSET ^ codePoint, FNV_PRIME), true, false);
          }
        }
        continue;
      }
      if (!inWord) {
        inWord = true;
        hash = FNV_OFFSET;
        upper = 0;
        lower = 0;
      }
      hash = Math.imul(hash ^ c, FNV_PRIME);
    }
    if (inWord) this.token(hash, true, upper >= 2 && lower === 0);
    this.word(END_HASH, this.previous, true);
  }

  /** One token: its unigram and the bigram with the one before; words also count and are looked up. */
  private token(hash: number, isWord: boolean, caps: boolean): void {
    this.word(hash, this.previous);
    this.previous = hash;
    if (isWord) {
      this.wordCount++;
      if (caps) this.capsWords++;
      this.lookUp(hash);
    }
  }

  private lookUp(hash: number): void {
    const offset = this.lexicons.table.find(hash);
    if (offset < 0) return;
    const values = this.lexicons.table.values;
    const value = values[offset + 1]!;
    if (!Number.isNaN(value)) {
      this.polarityWords++;
      if (value > 0) this.positive += value;
      else this.negative -= value;
    }
    const subjectivity = values[offset + 3]!;
    if (!Number.isNaN(subjectivity)) {
      this.adjectives++;
      this.adjectivePolarity += values[offset + 2]!;
      this.adjectiveSubjectivity += subjectivity;
    }
  }

  private word(hash: number, previous: number, endOnly = false): void {
    if (!endOnly) {
      this.push(mix(hash ^ UNIGRAM_SEED) & this.mask, 1);
      this.wordFeatures++;
    }
    this.push(mix(Math.imul(previous, 0x9e3779b1) ^ hash ^ BIGRAM_SEED) & this.mask, 1);
    this.wordFeatures++;
  }

  /** Character 4-grams of the lower-cased text, whitespace runs read as one space, framed by spaces. */
  private charGrams(text: string): void {
    const weight = this.charGramWeight;
    let a = 32;
    let b = 32;
    let c = 32;
    let seen = 1;
    let lastWasSpace = true;
    const length = Math.min(text.length, CHAR_GRAM_CHARS);
    for (let i = 0; i <= length; i++) {
      let d = i === length ? 32 : text.charCodeAt(i);
      if (d === 32 || (d >= 9 && d <= 13) || d === 0xa0) {
        if (lastWasSpace) continue;
        d = 32;
        lastWasSpace = true;
      } else {
        lastWasSpace = false;
        if (d >= 65 && d <= 90) d += 32;
      }
      seen++;
      if (seen >= 4) {
        let hash = Math.imul(FNV_OFFSET ^ a, FNV_PRIME);
        hash = Math.imul(hash ^ b, FNV_PRIME);
        hash = Math.imul(hash ^ c, FNV_PRIME);
        hash = Math.imul(hash ^ d, FNV_PRIME);
        this.push(mix(hash ^ CHAR_SEED) & this.mask, weight);
        this.charFeatures++;
      }
      a = b;
      b = c;
      c = d;
    }
  }

  private push(index: number, value: number): void {
    const target = this.target;
    if (target !== null) {
      const sums = this.sums;
      if (index < this.hashedSize) {
        const base = index * 3;
        const hashed = target.hashed;
        sums[0] = sums[0]! + hashed[base]! * value;
        sums[1] = sums[1]! + hashed[base + 1]! * value;
        sums[2] = sums[2]! + hashed[base + 2]! * value;
      } else {
        const base = (index - this.hashedSize) * 3;
        const dense = target.dense;
        sums[3] = sums[3]! + dense[base]! * value;
        sums[4] = sums[4]! + dense[base + 1]! * value;
        sums[5] = sums[5]! + dense[base + 2]! * value;
      }
      return;
    }
    if (this.count === this.indices.length) {
      const indices = new Int32Array(this.count * 2);
      const values = new Float32Array(this.count * 2);
      indices.set(this.indices);
      values.set(this.values);
      this.indices = indices;
      this.values = values;
    }
    this.indices[this.count] = index;
    this.values[this.count] = value;
    this.count++;
  }
}

/** Letters beyond ASCII that words are made of: Latin-1 and Extended, Greek, Cyrillic. */
function isLetter(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) ||
    (c >= 0x370 && c <= 0x4ff)
  );
}

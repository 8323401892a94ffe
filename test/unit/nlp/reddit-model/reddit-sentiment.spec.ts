import { DENSE_FEATURE_NAMES } from '@app/nlp/domain/reddit-model/feature-layout';
import {
  decodeModel,
  encodeModel,
  RedditSentimentModel,
} from '@app/nlp/domain/reddit-model/reddit-sentiment.model';
import { RedditSentimentScorer } from '@app/nlp/domain/reddit-model/reddit-sentiment.scorer';
import { trainRedditSentimentModel } from '@app/nlp/domain/reddit-model/training';
import { gunzipSync, gzipSync } from 'node:zlib';
import { buildWordLexicons } from '@app/nlp/domain/reddit-model/word-lexicons';

const HASH_BITS = 4;
const lexicons = buildWordLexicons({}, {});
const provenance = {
  data: 'hand-made',
  examples: 0,
  l2: 0,
  iterations: 0,
  loss: 0,
};

/** A model that reads VADER's compound alone: logits (-2c, 0, 2c) for negative, neutral, positive. */
function compoundOnlyModel(): RedditSentimentModel {
  const dense = new Float32Array(DENSE_FEATURE_NAMES.length * 3);
  dense[0] = -2;
  dense[2] = 2;
  return new RedditSentimentModel(
    { hashBits: HASH_BITS, charGramWeight: 0, lexicons: lexicons.digest },
    new Int8Array((1 << HASH_BITS) * 3),
    new Float32Array([1, 1, 1]),
    dense,
    new Float32Array([0, 0.5, 0]),
    provenance,
  );
}

describe('RedditSentimentScorer', () => {
  const scorer = new RedditSentimentScorer(compoundOnlyModel(), { lexicons });

  it('turns the logits into probabilities, labels the most probable class and scores P(pos) - P(neg)', () => {
    // VADER's compound for "good" is 0.4404; logits -0.8808, 0.5, 0.8808.
    const result = scorer.score('good');
    const e = [Math.exp(-0.8808), Math.exp(0.5), Math.exp(0.8808)];
    const total = e[0]! + e[1]! + e[2]!;
    expect(result?.probabilities?.negative).toBeCloseTo(e[0]! / total, 3);
    expect(result?.probabilities?.neutral).toBeCloseTo(e[1]! / total, 3);
    expect(result?.probabilities?.positive).toBeCloseTo(e[2]! / total, 3);
    expect(result?.score).toBeCloseTo((e[2]! - e[0]!) / total, 3);
    expect(result?.label).toBe('positive');
    expect(result?.lexicon.compound).toBeCloseTo(0.4404, 4);
    expect(result?.model).toMatch(/^reddit-[0-9a-f]{8}$/);
  });

  it('labels by argmax, not by the sign of the score', () => {
    // "the movie" has compound 0: logits 0, 0.5, 0 -> neutral, score 0.
    const result = scorer.score('the movie');
    expect(result?.label).toBe('neutral');
    expect(result?.score).toBeCloseTo(0, 9);
  });

  it('gives no score for empty, deleted and removed text, and flags truncation', () => {
    expect(scorer.score('')).toBeNull();
    expect(scorer.score('   ')).toBeNull();
    expect(scorer.score('[deleted]')).toBeNull();
    expect(scorer.score('[removed]')).toBeNull();
    const short = new RedditSentimentScorer(compoundOnlyModel(), { maxChars: 20, lexicons });
    expect(short.score('good '.repeat(10))?.truncated).toBe(true);
    expect(short.score('good')?.truncated).toBe(false);
  });
});

describe('the model file', () => {
  it('round-trips, and the id follows the weights', () => {
    const model = compoundOnlyModel();
    const decoded = decodeModel(encodeModel(model));
    expect(decoded.id).toBe(model.id);
    expect([...decoded.denseWeights]).toEqual([...model.denseWeights]);
    expect(decoded.features).toEqual(model.features);
    const other = new RedditSentimentModel(
      model.features,
      model.hashedWeights,
      model.hashedScales,
      model.denseWeights,
      new Float32Array([0, 0.25, 0]),
      provenance,
    );
    expect(other.id).not.toBe(model.id);
  });

  it('moves the decision with class offsets added to the biases, recorded in the file', () => {
    const model = compoundOnlyModel();
    // "the movie": compound 0, logits (0, 0.5, 0) -> neutral; +0.6 on positive makes it positive.
    const shifted = model.withClassOffsets([0, 0, 0.6]);
    expect(new RedditSentimentScorer(shifted, { lexicons }).score('the movie')?.label).toBe(
      'positive',
    );
    expect(shifted.id).not.toBe(model.id);
    expect(decodeModel(encodeModel(shifted)).provenance.classOffsets).toEqual([0, 0, 0.6]);
  });

  it('says what is wrong with a file that is not a model', () => {
    expect(() => decodeModel(Buffer.from('hello'))).toThrow('not a gzip file');
    expect(() => decodeModel(gzipSync(Buffer.from('XXXXhello')))).toThrow('no RSM1 signature');
    const truncated = encodeModel(compoundOnlyModel());
    const raw = gunzipSync(truncated);
    expect(() => decodeModel(gzipSync(raw.subarray(0, raw.length - 3)))).toThrow(/bytes unpacked/);
  });
});

describe('training', () => {
  const texts = [
    ...['I love this, thank you so much', 'great job, amazing', 'this is awesome lol'].map(
      (text) => ({ text, label: 'positive' as const }),
    ),
    ...['I hate this so much', 'terrible, worst idea ever', 'this is awful and sad'].map(
      (text) => ({ text, label: 'negative' as const }),
    ),
    ...['the game starts at 8', 'he posted it yesterday', 'which version is it'].map((text) => ({
      text,
      label: 'neutral' as const,
    })),
  ];
  const options = {
    features: { hashBits: 10, charGramWeight: 0.2 },
    l2: 1e-3,
    maxIterations: 100,
    data: 'unit test',
  };

  it('writes the same file twice from the same data', () => {
    const a = encodeModel(trainRedditSentimentModel(texts, options));
    const b = encodeModel(trainRedditSentimentModel(texts, options));
    expect(a.equals(b)).toBe(true);
  });

  it('fits its training texts', () => {
    const model = trainRedditSentimentModel(texts, options);
    const scorer = new RedditSentimentScorer(model);
    for (const { text, label } of texts) expect(scorer.score(text)?.label).toBe(label);
    expect(model.provenance.examples).toBe(texts.length);
  });
});

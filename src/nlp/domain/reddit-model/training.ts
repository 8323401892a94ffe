import { prepareRedditText } from '../reddit-text';
import { type SentimentLabel } from '../sentiment';
import { VaderSentimentScorer } from '../vader/vader-sentiment.scorer';
import { type FeatureOptions } from './feature-layout';
import { SentimentFeatureExtractor } from './features';
import { CLASSES, type ModelProvenance, RedditSentimentModel } from './reddit-sentiment.model';
import { type SparseExamples, trainSoftmaxRegression } from './softmax-regression';
import { loadWordLexicons, type WordLexicons } from './word-lexicons';

export interface LabelledText {
  readonly text: string;
  readonly label: SentimentLabel;
}

export interface ModelTrainingOptions {
  /** The lexicon digest comes from `lexicons`. */
  readonly features: Omit<FeatureOptions, 'lexicons'>;
  /** Defaults to the lexicons shipped with natural. */
  readonly lexicons?: WordLexicons;
  readonly l2: number;
  readonly maxIterations: number;

  /** Names the training data in the model file. */
  readonly data: string;
  readonly onIteration?: (iteration: number, loss: number) => void;
}

/**
 * Fits the Reddit sentiment model on labelled texts, prepared the way the
 * pipeline prepares Reddit text. Deterministic: there is no random step
 * (full-batch L-BFGS from zero weights), so the same texts and options give
 * the same weights.
 */
export function trainRedditSentimentModel(
  texts: readonly LabelledText[],
  options: ModelTrainingOptions,
): RedditSentimentModel {
  const lexicons = options.lexicons ?? loadWordLexicons();
  const features: FeatureOptions = { ...options.features, lexicons: lexicons.digest };
  const extractor = new SentimentFeatureExtractor(features, lexicons);
  const vader = new VaderSentimentScorer({ maxChars: Number.MAX_SAFE_INTEGER });

  // Only buckets that occur in training can get a weight, so the optimiser
  // works on those alone (renumbered in order of first use: also kinder to
  // the cache than the scattered hashed indices).
  const compact = new Map<number, number>();
  const used: number[] = [];
  const offsets: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const labels: number[] = [];
  for (const { text, label } of texts) {
    const prepared = prepareRedditText(text).text;
    if (prepared === null) continue;
    const lexicon = vader.score(prepared);
    if (lexicon === null) continue;
    const vector = extractor.extract(prepared, lexicon);
    for (let i = 0; i < vector.length; i++) {
      const index = vector.indices[i]!;
      let id = compact.get(index);
      if (id === undefined) {
        id = used.length;
        compact.set(index, id);
        used.push(index);
      }
      indices.push(id);
      values.push(vector.values[i]!);
    }
    offsets.push(indices.length);
    labels.push(CLASSES.indexOf(label));
  }
  const hashedSize = extractor.hashedSize;
  const examples: SparseExamples = {
    offsets: Int32Array.from(offsets),
    indices: Int32Array.from(indices),
    values: Float32Array.from(values),
    labels: Uint8Array.from(labels),
  };
  const classes = CLASSES.length;
  const fitted = trainSoftmaxRegression(examples, {
    classes,
    dimensions: used.length,
    l2: options.l2,
    maxIterations: options.maxIterations,
    onIteration: options.onIteration,
  });

  // Back to the full feature space, then quantise the hashed part per class.
  const hashed = new Float64Array(hashedSize * classes);
  const denseWeights = new Float32Array(extractor.denseSize * classes);
  used.forEach((index, id) => {
    for (let k = 0; k < classes; k++) {
      const weight = fitted.weights[id * classes + k]!;
      if (index < hashedSize) hashed[index * classes + k] = weight;
      else denseWeights[(index - hashedSize) * classes + k] = weight;
    }
  });
  const hashedScales = new Float32Array(classes);
  for (let k = 0; k < classes; k++) {
    let max = 0;
    for (let i = k; i < hashed.length; i += classes) max = Math.max(max, Math.abs(hashed[i]!));
    hashedScales[k] = max === 0 ? 1 : max / 127;
  }
  const hashedWeights = new Int8Array(hashed.length);
  for (let i = 0; i < hashed.length; i++) {
    hashedWeights[i] = Math.round(hashed[i]! / hashedScales[i % classes]!);
  }
  const provenance: ModelProvenance = {
    data: options.data,
    examples: labels.length,
    l2: options.l2,
    iterations: fitted.iterations,
    loss: Number(fitted.loss.toFixed(6)),
  };
  return new RedditSentimentModel(
    features,
    hashedWeights,
    hashedScales,
    denseWeights,
    Float32Array.from(fitted.biases),
    provenance,
  );
}

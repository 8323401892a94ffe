import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type SentimentLabel } from '../sentiment';
import { DENSE_FEATURE_NAMES, type FeatureOptions, type LinearWeights } from './feature-layout';

/** Class order of every weight row and probability vector. */
export const CLASSES: readonly SentimentLabel[] = ['negative', 'neutral', 'positive'];

/** What the model file says about how it was made; shown in the README's model card. */
export interface ModelProvenance {
  readonly data: string;
  readonly examples: number;
  readonly l2: number;
  readonly iterations: number;
  readonly loss: number;
  /**
   * Added to the biases (negative, neutral, positive) after fitting, chosen on
   * the dev set: they move the decision between classes without refitting.
   */
  readonly classOffsets?: readonly number[];
}

/**
 * A trained multinomial logistic regression, as scoring uses it: hashed
 * weights quantised to int8 with one scale per class (they are many and
 * small), dense weights and biases in float32 (they are few and large).
 */
export class RedditSentimentModel {
  /** "reddit-" and the first 8 hex digits of the weights' SHA-256: a new training shows as a new id. */
  readonly id: string;

  constructor(
    readonly features: FeatureOptions,
    /** hashedSize × 3, feature-major. */
    readonly hashedWeights: Int8Array,
    /** One dequantisation scale per class. */
    readonly hashedScales: Float32Array,
    /** denseSize × 3, feature-major. */
    readonly denseWeights: Float32Array,
    readonly biases: Float32Array,
    readonly provenance: ModelProvenance,
  ) {
    const hashedSize = 1 << features.hashBits;
    if (hashedWeights.length !== hashedSize * CLASSES.length) {
      throw new RangeError(
        `hashed weights: expected ${hashedSize * CLASSES.length}, got ${hashedWeights.length}`,
      );
    }
    if (denseWeights.length !== DENSE_FEATURE_NAMES.length * CLASSES.length) {
      throw new RangeError(
        `dense weights: expected ${DENSE_FEATURE_NAMES.length * CLASSES.length}, got ${denseWeights.length}`,
      );
    }
    const digest = createHash('sha256');
    for (const part of [hashedWeights, hashedScales, denseWeights, biases]) {
      digest.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
    }
    this.id = `reddit-${digest.digest('hex').slice(0, 8)}`;
  }

  /** The same model with `offsets` added to its biases (and recorded in its provenance). */
  withClassOffsets(offsets: readonly number[]): RedditSentimentModel {
    const biases = Float32Array.from(this.biases, (bias, k) => bias + (offsets[k] ?? 0));
    return new RedditSentimentModel(
      this.features,
      this.hashedWeights,
      this.hashedScales,
      this.denseWeights,
      biases,
      { ...this.provenance, classOffsets: [...offsets] },
    );
  }

  /** The weights as the feature extractor reads them when scoring. */
  get linearWeights(): LinearWeights {
    return { hashed: this.hashedWeights, dense: this.denseWeights };
  }

  /**
   * Class probabilities from SentimentFeatureExtractor.accumulate's sums
   * (hashed 0-2, dense 3-5), written into `out`.
   */
  probabilitiesFromSums(sums: Float64Array, out: Float64Array): void {
    softmax3(
      this.biases[0]! + sums[3]! + sums[0]! * this.hashedScales[0]!,
      this.biases[1]! + sums[4]! + sums[1]! * this.hashedScales[1]!,
      this.biases[2]! + sums[5]! + sums[2]! * this.hashedScales[2]!,
      out,
    );
  }
}

function softmax3(s0: number, s1: number, s2: number, out: Float64Array): void {
  const max = Math.max(s0, s1, s2);
  const e0 = Math.exp(s0 - max);
  const e1 = Math.exp(s1 - max);
  const e2 = Math.exp(s2 - max);
  const total = e0 + e1 + e2;
  out[0] = e0 / total;
  out[1] = e1 / total;
  out[2] = e2 / total;
}

const MAGIC = 'RSM1';
const FORMAT = 'reddit-sentiment-logreg/1';

interface FileHeader {
  readonly format: string;
  readonly classes: readonly string[];
  readonly features: FeatureOptions;
  readonly dense: readonly string[];
  readonly provenance: ModelProvenance;
}

/**
 * The model file: gzip of "RSM1", a uint32 (little-endian) header length, the
 * JSON header, then float32 hashed scales, dense weights and biases, then the
 * int8 hashed weights. Unused buckets are zero, so gzip takes most of them.
 * Encoding is deterministic: the same weights give the same bytes.
 */
export function encodeModel(model: RedditSentimentModel): Buffer {
  const header: FileHeader = {
    format: FORMAT,
    classes: CLASSES,
    features: model.features,
    dense: DENSE_FEATURE_NAMES,
    provenance: model.provenance,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  const floats = (array: Float32Array): Buffer =>
    Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  const raw = Buffer.concat([
    Buffer.from(MAGIC, 'latin1'),
    length,
    headerBytes,
    floats(model.hashedScales),
    floats(model.denseWeights),
    floats(model.biases),
    Buffer.from(
      model.hashedWeights.buffer,
      model.hashedWeights.byteOffset,
      model.hashedWeights.byteLength,
    ),
  ]);
  return gzipSync(raw, { level: 9 });
}

/** Reads a model file; throws an Error saying what is wrong with it. */
export function decodeModel(file: Buffer): RedditSentimentModel {
  let raw: Buffer;
  try {
    raw = gunzipSync(file);
  } catch {
    throw new Error('not a gzip file');
  }
  if (raw.length < 8 || raw.toString('latin1', 0, 4) !== MAGIC) {
    throw new Error(`not a sentiment model (no ${MAGIC} signature)`);
  }
  const headerLength = raw.readUInt32LE(4);
  let header: FileHeader;
  try {
    header = JSON.parse(raw.toString('utf8', 8, 8 + headerLength)) as FileHeader;
  } catch {
    throw new Error('the model header is not JSON');
  }
  if (header.format !== FORMAT) {
    throw new Error(
      `unsupported model format ${String(header.format)} (this server reads ${FORMAT})`,
    );
  }
  if (
    header.classes.join() !== CLASSES.join() ||
    header.dense.join() !== DENSE_FEATURE_NAMES.join()
  ) {
    throw new Error(
      'the model was trained with other classes or dense features than this server computes',
    );
  }
  const classes = CLASSES.length;
  const hashedSize = 1 << header.features.hashBits;
  let offset = 8 + headerLength;
  const take = (count: number): Float32Array => {
    const bytes = raw.subarray(offset, offset + count * 4);
    offset += count * 4;
    // Copied so the array is aligned whatever the header length.
    return new Float32Array(new Uint8Array(bytes).buffer);
  };
  const expected =
    offset + 4 * (classes + DENSE_FEATURE_NAMES.length * classes + classes) + hashedSize * classes;
  if (raw.length !== expected) {
    throw new Error(`the model file is ${raw.length} bytes unpacked, expected ${expected}`);
  }
  const hashedScales = take(classes);
  const denseWeights = take(DENSE_FEATURE_NAMES.length * classes);
  const biases = take(classes);
  const hashedWeights = new Int8Array(new Uint8Array(raw.subarray(offset)).buffer);
  return new RedditSentimentModel(
    header.features,
    hashedWeights,
    hashedScales,
    denseWeights,
    biases,
    header.provenance,
  );
}

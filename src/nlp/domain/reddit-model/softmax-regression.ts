/**
 * Multinomial logistic regression over sparse features, fitted by L-BFGS on
 * the mean cross-entropy plus an L2 penalty on the weights (not the biases).
 *
 * Full-batch L-BFGS rather than SGD: the objective is convex, so the optimum
 * does not depend on example order or a learning-rate schedule, and one
 * thread doing the same float operations in the same order gives the same
 * weights bit for bit, which is what makes the committed model reproducible.
 */

/** Training examples as compressed sparse rows: example i owns entries offsets[i] … offsets[i+1]-1. */
export interface SparseExamples {
  readonly offsets: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
  /** Class index of each example. */
  readonly labels: Uint8Array;
}

export interface SoftmaxWeights {
  readonly classes: number;
  readonly dimensions: number;
  /** dimensions × classes, feature-major: weights[feature * classes + k]. */
  readonly weights: Float64Array;
  readonly biases: Float64Array;
}

export interface TrainingOptions {
  readonly classes: number;
  readonly dimensions: number;
  /** L2 penalty on the weights, as (l2 / 2) * |w|^2 added to the mean loss. */
  readonly l2: number;
  readonly maxIterations?: number;
  /** Stop when an iteration improves the objective by less than this, relatively. */
  readonly tolerance?: number;
  /** L-BFGS history length. */
  readonly memory?: number;
  readonly onIteration?: (iteration: number, loss: number) => void;
}

export interface TrainingResult extends SoftmaxWeights {
  readonly iterations: number;
  readonly loss: number;
}

/** Softmax of `scores` in place (length = classes). */
export function softmaxInPlace(scores: Float64Array | number[]): void {
  let max = -Infinity;
  for (let k = 0; k < scores.length; k++) max = Math.max(max, scores[k]!);
  let total = 0;
  for (let k = 0; k < scores.length; k++) {
    const e = Math.exp(scores[k]! - max);
    scores[k] = e;
    total += e;
  }
  for (let k = 0; k < scores.length; k++) scores[k] = scores[k]! / total;
}

/**
 * The objective and its gradient at `theta` (weights then biases, flattened).
 * Writes the gradient into `gradient` and returns the loss.
 */
function evaluate(
  data: SparseExamples,
  theta: Float64Array,
  gradient: Float64Array,
  classes: number,
  dimensions: number,
  l2: number,
): number {
  gradient.fill(0);
  const biasOffset = dimensions * classes;
  const { offsets, indices, values, labels } = data;
  const count = labels.length;
  const scores = new Float64Array(classes);
  let loss = 0;
  for (let i = 0; i < count; i++) {
    const from = offsets[i]!;
    const to = offsets[i + 1]!;
    for (let k = 0; k < classes; k++) scores[k] = theta[biasOffset + k]!;
    for (let e = from; e < to; e++) {
      const base = indices[e]! * classes;
      const value = values[e]!;
      for (let k = 0; k < classes; k++) scores[k] = scores[k]! + theta[base + k]! * value;
    }
    softmaxInPlace(scores);
    const label = labels[i]!;
    loss -= Math.log(Math.max(scores[label]!, 1e-300));
    scores[label] = scores[label]! - 1;
    for (let k = 0; k < classes; k++)
      gradient[biasOffset + k] = gradient[biasOffset + k]! + scores[k]!;
    for (let e = from; e < to; e++) {
      const base = indices[e]! * classes;
      const value = values[e]!;
      for (let k = 0; k < classes; k++)
        gradient[base + k] = gradient[base + k]! + scores[k]! * value;
    }
  }
  const scale = 1 / count;
  let penalty = 0;
  for (let j = 0; j < biasOffset; j++) {
    const w = theta[j]!;
    penalty += w * w;
    gradient[j] = gradient[j]! * scale + l2 * w;
  }
  for (let k = 0; k < classes; k++) gradient[biasOffset + k] = gradient[biasOffset + k]! * scale;
  return loss * scale + 0.5 * l2 * penalty;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** Fits the weights; deterministic for the same data and options. */
export function trainSoftmaxRegression(
  data: SparseExamples,
  options: TrainingOptions,
): TrainingResult {
  const { classes, dimensions, l2 } = options;
  const maxIterations = options.maxIterations ?? 300;
  const tolerance = options.tolerance ?? 1e-7;
  const memory = options.memory ?? 10;
  const size = dimensions * classes + classes;
  let theta = new Float64Array(size);
  let gradient = new Float64Array(size);
  let loss = evaluate(data, theta, gradient, classes, dimensions, l2);
  const history: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  const direction = new Float64Array(size);
  const alphas = new Float64Array(memory);
  let candidate = new Float64Array(size);
  let candidateGradient = new Float64Array(size);
  let iteration = 0;
  for (; iteration < maxIterations; iteration++) {
    // Two-loop recursion: direction = -H * gradient.
    for (let j = 0; j < size; j++) direction[j] = -gradient[j]!;
    for (let h = history.length - 1; h >= 0; h--) {
      const { s, y, rho } = history[h]!;
      const alpha = rho * dot(s, direction);
      alphas[h] = alpha;
      for (let j = 0; j < size; j++) direction[j] = direction[j]! - alpha * y[j]!;
    }
    if (history.length > 0) {
      const { s, y } = history[history.length - 1]!;
      const gamma = dot(s, y) / dot(y, y);
      for (let j = 0; j < size; j++) direction[j] = direction[j]! * gamma;
    } else {
      const norm = Math.sqrt(dot(gradient, gradient));
      if (norm === 0) break;
      for (let j = 0; j < size; j++) direction[j] = direction[j]! / norm;
    }
    for (let h = 0; h < history.length; h++) {
      const { s, y, rho } = history[h]!;
      const beta = rho * dot(y, direction);
      const alpha = alphas[h]!;
      for (let j = 0; j < size; j++) direction[j] = direction[j]! + (alpha - beta) * s[j]!;
    }
    let slope = dot(gradient, direction);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      history.length = 0;
      for (let j = 0; j < size; j++) direction[j] = -gradient[j]!;
      slope = dot(gradient, direction);
    }
    // Backtracking line search with the Armijo condition.
    let step = 1;
    let candidateLoss = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let j = 0; j < size; j++) candidate[j] = theta[j]! + step * direction[j]!;
      candidateLoss = evaluate(data, candidate, candidateGradient, classes, dimensions, l2);
      if (candidateLoss <= loss + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(candidateLoss < loss)) break;
    const s = new Float64Array(size);
    const y = new Float64Array(size);
    for (let j = 0; j < size; j++) {
      s[j] = candidate[j]! - theta[j]!;
      y[j] = candidateGradient[j]! - gradient[j]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      history.push({ s, y, rho: 1 / sy });
      if (history.length > memory) history.shift();
    }
    const improvement = (loss - candidateLoss) / Math.max(Math.abs(loss), 1e-12);
    [theta, candidate] = [candidate, theta];
    [gradient, candidateGradient] = [candidateGradient, gradient];
    loss = candidateLoss;
    options.onIteration?.(iteration + 1, loss);
    if (improvement < tolerance) {
      iteration++;
      break;
    }
  }
  return {
    classes,
    dimensions,
    weights: theta.slice(0, dimensions * classes),
    biases: theta.slice(dimensions * classes),
    iterations: iteration,
    loss,
  };
}

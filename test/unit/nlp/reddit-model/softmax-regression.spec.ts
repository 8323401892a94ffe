import {
  softmaxInPlace,
  type SparseExamples,
  trainSoftmaxRegression,
} from '@app/nlp/domain/reddit-model/softmax-regression';

function examples(
  rows: readonly { features: [number, number][]; label: number }[],
): SparseExamples {
  const offsets = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const row of rows) {
    for (const [index, value] of row.features) {
      indices.push(index);
      values.push(value);
    }
    offsets.push(indices.length);
  }
  return {
    offsets: Int32Array.from(offsets),
    indices: Int32Array.from(indices),
    values: Float32Array.from(values),
    labels: Uint8Array.from(rows.map((row) => row.label)),
  };
}

describe('softmax regression', () => {
  it('softmax is shift-invariant and sums to one', () => {
    const scores = new Float64Array([1, 2, 3]);
    softmaxInPlace(scores);
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const total = e[0]! + e[1]! + e[2]!;
    expect([...scores].map((p) => p.toFixed(6))).toEqual(e.map((x) => (x / total).toFixed(6)));
  });

  it('with no features, the biases learn the class frequencies', () => {
    // Labels 0,0,0,1,2,2: the maximum-likelihood probabilities are 3/6, 1/6, 2/6.
    const data = examples([0, 0, 0, 1, 2, 2].map((label) => ({ features: [], label })));
    const fitted = trainSoftmaxRegression(data, { classes: 3, dimensions: 1, l2: 0 });
    const p = Float64Array.from(fitted.biases);
    softmaxInPlace(p);
    expect(p[0]).toBeCloseTo(3 / 6, 4);
    expect(p[1]).toBeCloseTo(1 / 6, 4);
    expect(p[2]).toBeCloseTo(2 / 6, 4);
  });

  it('separates classes by their features, and the L2 penalty keeps weights finite', () => {
    const rows = [
      { features: [[0, 1]] as [number, number][], label: 0 },
      { features: [[1, 1]] as [number, number][], label: 1 },
      { features: [[2, 1]] as [number, number][], label: 2 },
    ];
    const data = examples([...rows, ...rows]);
    const fitted = trainSoftmaxRegression(data, { classes: 3, dimensions: 3, l2: 0.01 });
    for (let feature = 0; feature < 3; feature++) {
      const row = fitted.weights.slice(feature * 3, feature * 3 + 3);
      expect(row.indexOf(Math.max(...row))).toBe(feature);
      expect(Math.max(...row.map(Math.abs))).toBeLessThan(20);
    }
  });

  it('is deterministic: the same data gives the same weights bit for bit', () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({
      features: [
        [i % 7, 1 + (i % 3)],
        [7 + (i % 5), 0.5],
      ] as [number, number][],
      label: (i * 7) % 3,
    }));
    const a = trainSoftmaxRegression(examples(rows), { classes: 3, dimensions: 12, l2: 1e-3 });
    const b = trainSoftmaxRegression(examples(rows), { classes: 3, dimensions: 12, l2: 1e-3 });
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
    expect(a.loss).toBe(b.loss);
  });
});

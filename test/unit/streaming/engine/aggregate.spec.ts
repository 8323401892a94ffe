import {
  DistinctSketch,
  TopKCounter,
  WindowAggregate,
  type WindowEvent,
} from '@app/streaming/domain/engine';
import { event, T0 } from './fixtures';

const OPTIONS = { topK: 5, maxExactAuthors: 100 };

function aggregateOf(events: readonly WindowEvent[]): WindowAggregate {
  const a = new WindowAggregate(OPTIONS);
  for (const e of events) a.add(e);
  return a;
}

function json(a: WindowAggregate): unknown {
  return JSON.parse(JSON.stringify(a.toJSON()));
}

describe('WindowAggregate', () => {
  const eventsA: WindowEvent[] = [
    event({
      fullname: 't1_a',
      sentiment: 0.5,
      score: 3,
      author: 'x',
      keywords: [{ key: 'rust', count: 2 }],
    }),
    event({
      fullname: 't3_b',
      kind: 'submission',
      sentiment: -0.6,
      eventTimeMs: T0 + 5,
      mentions: ['nasa'],
    }),
  ];
  const eventsB: WindowEvent[] = [
    event({
      fullname: 't1_c',
      sentiment: 0,
      author: 'y',
      eventTimeMs: T0 - 7,
      mentions: ['nasa', 'esa'],
    }),
  ];
  const eventsC: WindowEvent[] = [
    event({
      fullname: 't1_d',
      sentiment: null,
      score: -2,
      author: 'x',
      keywords: [{ key: 'go', count: 1 }],
    }),
    event({ fullname: 't1_e', sentiment: 0.9, author: 'z', keywords: [{ key: 'rust', count: 1 }] }),
  ];
  const a = aggregateOf(eventsA);
  const b = aggregateOf(eventsB);
  const c = aggregateOf(eventsC);

  it('sums, counts and bounds every field', () => {
    const s = WindowAggregate.merge(WindowAggregate.merge(a, b), c).summary();
    expect(s).toMatchObject({
      submissions: 1,
      comments: 4,
      uniqueAuthors: 4, // alice, x, y, z
      uniqueAuthorsExact: true,
      scoreSum: 3 + 1 + 1 - 2 + 1,
      sentimentCount: 4,
      sentimentMin: -0.6,
      sentimentMax: 0.9,
      positive: 2,
      neutral: 1,
      negative: 1,
      firstEventMs: T0 - 7,
      lastEventMs: T0 + 5,
      topKeywords: [
        { key: 'rust', count: 3 },
        { key: 'go', count: 1 },
      ],
      topMentions: [
        { key: 'nasa', count: 2 },
        { key: 'esa', count: 1 },
      ],
    });
  });

  it('merges associatively and commutatively', () => {
    const M = (x: WindowAggregate, y: WindowAggregate): WindowAggregate =>
      WindowAggregate.merge(x, y);
    expect(json(M(a, b))).toEqual(json(M(b, a)));
    expect(json(M(M(a, b), c))).toEqual(json(M(a, M(b, c))));
    expect(json(M(M(a, b), c))).toEqual(json(M(M(c, a), b)));
    expect(json(M(M(a, b), c))).toEqual(json(aggregateOf([...eventsC, ...eventsA, ...eventsB])));
  });

  it('counts labels as the scorer gave them, and names the models that scored the window', () => {
    // A trained model labels by its most probable class: a score of 0.02 can be positive.
    const labelled = aggregateOf([
      event({
        fullname: 't1_p',
        sentiment: 0.02,
        sentimentLabel: 'positive',
        sentimentModel: 'reddit-b',
      }),
      event({
        fullname: 't1_n',
        sentiment: -0.3,
        sentimentLabel: 'neutral',
        sentimentModel: 'reddit-b',
      }),
      event({
        fullname: 't1_v',
        sentiment: -0.5,
        sentimentLabel: 'negative',
        sentimentModel: 'vader',
      }),
      event({ fullname: 't1_x', sentiment: null }),
    ]).summary();
    expect(labelled).toMatchObject({ positive: 1, neutral: 1, negative: 1, sentimentCount: 3 });
    expect(labelled.sentimentModels).toEqual(['reddit-b', 'vader']);
    // The union is sorted and bounded, so merge order cannot change it.
    const many = ['m5', 'm3', 'm1', 'm4', 'm2'].map((model, i) =>
      aggregateOf([event({ fullname: `t1_${i}`, sentiment: 0.5, sentimentModel: model })]),
    );
    const left = many.reduce((x, y) => WindowAggregate.merge(x, y));
    const right = [...many].reverse().reduce((x, y) => WindowAggregate.merge(x, y));
    expect(left.summary().sentimentModels).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(right.summary().sentimentModels).toEqual(left.summary().sentimentModels);
  });

  it('restores checkpoints written before models were recorded', () => {
    const json = a.toJSON() as unknown as Record<string, unknown>;
    delete json.sentimentModels;
    const restored = WindowAggregate.fromJSON(json as never);
    expect(restored.summary().sentimentModels).toEqual([]);
    expect(restored.summary().sentimentCount).toBe(a.summary().sentimentCount);
  });

  it('round-trips through JSON', () => {
    const merged = WindowAggregate.merge(a, c);
    const restored = WindowAggregate.fromJSON(JSON.parse(JSON.stringify(merged.toJSON())));
    expect(restored.toJSON()).toEqual(merged.toJSON());
    expect(restored.summary()).toEqual(merged.summary());
  });
});

/** Deterministic pseudo-random stream (LCG) so the test is reproducible. */
function stream(n: number, seed: number): string[] {
  let x = seed;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    const r = x / 2 ** 32;
    // Skewed: a few heavy keys, a long tail.
    out.push(r < 0.5 ? `hot${Math.floor(r * 6)}` : `tail${Math.floor(r * 400)}`);
  }
  return out;
}

describe('TopKCounter (Misra-Gries)', () => {
  it('keeps at most K counters and underestimates by at most the documented bound', () => {
    const k = 8;
    const keys = stream(5_000, 7);
    const counter = new TopKCounter(k);
    const truth = new Map<string, number>();
    for (const key of keys) {
      counter.add(key);
      truth.set(key, (truth.get(key) ?? 0) + 1);
    }
    expect(counter.size).toBeLessThanOrEqual(k);
    const bound = counter.errorBound();
    expect(bound).toBeLessThanOrEqual(keys.length / (k + 1));
    for (const [key, count] of truth) {
      const estimate = counter.estimate(key);
      expect(estimate).toBeLessThanOrEqual(count);
      expect(estimate).toBeGreaterThanOrEqual(count - bound);
      if (count > keys.length / (k + 1)) expect(estimate).toBeGreaterThan(0);
    }
    // The stream's three heavy hitters (about 1/6 of it each) come out on top.
    expect(
      counter
        .top(3)
        .map((e) => e.key)
        .sort(),
    ).toEqual(['hot0', 'hot1', 'hot2']);
  });

  it('merges commutatively, exactly below K keys, and within the bound above it', () => {
    const k = 8;
    const parts = [stream(1_000, 1), stream(1_000, 2), stream(1_000, 3)];
    const counters = parts.map((keys) => {
      const c = new TopKCounter(k);
      for (const key of keys) c.add(key);
      return c;
    });
    const [x, y, z] = counters as [TopKCounter, TopKCounter, TopKCounter];
    const M = (p1: TopKCounter, p2: TopKCounter): TopKCounter => TopKCounter.merge(p1, p2);
    expect(M(x, y).toJSON()).toEqual(M(y, x).toJSON());
    for (const merged of [M(M(x, y), z), M(x, M(y, z))]) {
      expect(merged.size).toBeLessThanOrEqual(k);
      expect(merged.total).toBe(3_000);
      const truth = new Map<string, number>();
      for (const key of parts.flat()) truth.set(key, (truth.get(key) ?? 0) + 1);
      for (const [key, count] of truth) {
        expect(merged.estimate(key)).toBeLessThanOrEqual(count);
        expect(merged.estimate(key)).toBeGreaterThanOrEqual(count - merged.errorBound());
      }
    }

    const small = (entries: [string, number][]): TopKCounter => {
      const c = new TopKCounter(k);
      for (const [key, n] of entries) c.add(key, n);
      return c;
    };
    const p = small([
      ['a', 2],
      ['b', 1],
    ]);
    const q = small([
      ['b', 4],
      ['c', 1],
    ]);
    const r = small([
      ['a', 1],
      ['d', 3],
    ]);
    expect(M(M(p, q), r).toJSON()).toEqual(M(p, M(q, r)).toJSON());
  });
});

describe('DistinctSketch', () => {
  it('is exact up to capacity, estimates beyond, and merges as a union', () => {
    const exact = new DistinctSketch(100);
    for (let i = 0; i < 100; i++) exact.add(`u${i % 60}`);
    expect(exact.estimate()).toBe(60);
    expect(exact.exact).toBe(true);

    const capacity = 256;
    const sketches = [0, 1, 2].map((part) => {
      const s = new DistinctSketch(capacity);
      for (let i = part * 1_500; i < part * 1_500 + 2_000; i++) s.add(`user${i}`); // overlapping ranges
      return s;
    });
    const [s0, s1, s2] = sketches as [DistinctSketch, DistinctSketch, DistinctSketch];
    const M = (d1: DistinctSketch, d2: DistinctSketch): DistinctSketch =>
      DistinctSketch.merge(d1, d2);
    const left = M(M(s0, s1), s2);
    expect(left.toJSON()).toEqual(M(s0, M(s1, s2)).toJSON());
    expect(left.toJSON()).toEqual(M(s2, M(s0, s1)).toJSON());
    const direct = new DistinctSketch(capacity);
    for (let i = 0; i < 5_000; i++) direct.add(`user${i}`);
    expect(left.toJSON()).toEqual(direct.toJSON());
    expect(left.exact).toBe(false);
    expect(Math.abs(left.estimate() - 5_000) / 5_000).toBeLessThan(0.25);
    expect(DistinctSketch.fromJSON(left.toJSON()).toJSON()).toEqual(left.toJSON());
  });
});

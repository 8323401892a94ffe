import {
  TumblingWindowEngine,
  windowStartFor,
  type WindowInput,
} from '@app/streaming/domain/windows';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

function input(overrides: Partial<WindowInput> & { fullname: string }): WindowInput {
  return {
    subreddit: 'askreddit',
    kind: 'comment',
    eventTimeMs: T0,
    score: 1,
    sentiment: null,
    ...overrides,
  };
}

describe('windowStartFor', () => {
  it('floors to the start of the tumbling window', () => {
    expect(windowStartFor(T0, MINUTE)).toBe(T0);
    expect(windowStartFor(T0 + 59_999, MINUTE)).toBe(T0);
    expect(windowStartFor(T0 + 60_000, MINUTE)).toBe(T0 + MINUTE);
  });

  it('floors negative times downwards, not towards zero', () => {
    expect(windowStartFor(-1, MINUTE)).toBe(-MINUTE);
    expect(windowStartFor(-MINUTE, MINUTE)).toBe(-MINUTE);
  });
});

describe('TumblingWindowEngine', () => {
  it('aggregates per subreddit and window with counts by kind and sentiment', () => {
    const engine = new TumblingWindowEngine();
    const { changed } = engine.apply([
      input({ fullname: 't3_a', kind: 'submission', sentiment: 0.5, score: 10 }),
      input({ fullname: 't1_b', sentiment: -0.5, score: 3, eventTimeMs: T0 + 30_000 }),
      input({ fullname: 't1_c', sentiment: 0.0, eventTimeMs: T0 + 59_000 }),
      input({ fullname: 't1_d', eventTimeMs: T0 + 61_000 }),
      input({ fullname: 't1_e', subreddit: 'worldnews' }),
    ]);
    const byKey = new Map(changed.map((w) => [`${w.subreddit}@${w.windowStartMs - T0}`, w]));
    expect(byKey.size).toBe(3);

    const first = byKey.get('askreddit@0');
    expect(first).toMatchObject({
      submissions: 1,
      comments: 2,
      sentimentCount: 3,
      positive: 1,
      neutral: 1,
      negative: 1,
      scoreSum: 14,
      firstEventMs: T0,
      lastEventMs: T0 + 59_000,
      windowEndMs: T0 + MINUTE,
    });
    expect(first?.sentimentSum).toBeCloseTo(0);
    expect(byKey.get('askreddit@60000')).toMatchObject({ comments: 1, sentimentCount: 0 });
    expect(byKey.get('worldnews@0')).toMatchObject({ comments: 1 });
  });

  it('counts a redelivered event once', () => {
    const engine = new TumblingWindowEngine();
    engine.apply([input({ fullname: 't1_a' })]);
    const { changed } = engine.apply([input({ fullname: 't1_a' }), input({ fullname: 't1_b' })]);
    expect(changed).toHaveLength(1);
    expect(changed[0]?.comments).toBe(2);
  });

  it('continues a window seeded from storage instead of restarting it', () => {
    const engine = new TumblingWindowEngine();
    const { changed: stored } = new TumblingWindowEngine().apply([
      input({ fullname: 't1_a' }),
      input({ fullname: 't1_b' }),
    ]);
    expect(engine.missingKeys([input({ fullname: 't1_c' })])).toEqual([
      { subreddit: 'askreddit', windowStartMs: T0 },
    ]);
    engine.seed(stored[0]!);
    expect(engine.missingKeys([input({ fullname: 't1_c' })])).toEqual([]);
    const { changed } = engine.apply([input({ fullname: 't1_c' })]);
    expect(changed[0]?.comments).toBe(3);
  });

  it('rollback undoes exactly the batch, so its redelivery counts once', () => {
    const engine = new TumblingWindowEngine();
    engine.apply([input({ fullname: 't1_a', sentiment: 0.4 })]);
    const batch = [
      input({ fullname: 't1_b', sentiment: 0.2 }),
      input({ fullname: 't1_c', eventTimeMs: T0 + MINUTE }),
    ];
    const { rollback } = engine.apply(batch);
    rollback();
    expect(engine.size).toBe(1);
    const { changed } = engine.apply(batch);
    const first = changed.find((w) => w.windowStartMs === T0);
    expect(first).toMatchObject({ comments: 2, sentimentCount: 2 });
    expect(first?.sentimentSum).toBeCloseTo(0.6);
    expect(changed.find((w) => w.windowStartMs === T0 + MINUTE)?.comments).toBe(1);
  });

  it('evicts windows that ended before the cutoff', () => {
    const engine = new TumblingWindowEngine();
    engine.apply([
      input({ fullname: 't1_a' }),
      input({ fullname: 't1_b', eventTimeMs: T0 + 10 * MINUTE }),
    ]);
    expect(engine.evictEndedBefore(T0 + 5 * MINUTE)).toBe(1);
    expect(engine.size).toBe(1);
  });
});

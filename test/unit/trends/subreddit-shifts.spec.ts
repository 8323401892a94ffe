import {
  DEFAULT_SHIFT_OPTIONS,
  type MinuteActivity,
  type Shift,
  SubredditShifts,
} from '@app/trends/domain';
import { minute, poisson, seeded } from './series';

/** Minutes of a subreddit: events per minute and the mean sentiment of each (noisy). */
function minutes(
  count: number,
  rate: (i: number) => number,
  mood: (i: number) => number,
  seed: number,
): MinuteActivity[] {
  const random = seeded(seed);
  return Array.from({ length: count }, (_, i) => {
    const events = poisson(rate(i), random);
    // Each event's sentiment: the minute's mood plus noise of sd about 0.4.
    let sum = 0;
    for (let e = 0; e < events; e++) sum += mood(i) + (random() + random() + random() - 1.5) * 0.8;
    return { minuteMs: minute(i), events, sentimentSum: sum, sentimentCount: events };
  });
}

function run(series: readonly MinuteActivity[]): Shift[] {
  const shifts = SubredditShifts.startingAt(minute(0));
  return series.flatMap((m) => shifts.observe('politics', m, DEFAULT_SHIFT_OPTIONS));
}

describe('mood shifts and activity bursts on hand-made series', () => {
  it('reports nothing for a steady subreddit', () => {
    expect(
      run(
        minutes(
          600,
          () => 40,
          () => 0.1,
          1,
        ),
      ),
    ).toEqual([]);
  });

  it('reports a turn of mood in both directions, from its own baseline', () => {
    const down = run(
      minutes(
        120,
        () => 40,
        (i) => (i >= 90 ? -0.35 : 0.1),
        2,
      ),
    );
    expect(down.length).toBeGreaterThan(0);
    expect(down[0]).toMatchObject({ kind: 'mood', direction: 'down', minuteMs: minute(90) });
    expect(down[0]?.expected).toBeCloseTo(0.1, 1);
    expect(down.every((s) => s.sinceMs === minute(90))).toBe(true);

    const up = run(
      minutes(
        120,
        () => 40,
        (i) => (i >= 90 ? 0.55 : 0.1),
        3,
      ),
    );
    expect(up[0]).toMatchObject({ kind: 'mood', direction: 'up', minuteMs: minute(90) });
  });

  it('ignores the mood of minutes with too few scored events', () => {
    expect(
      run(
        minutes(
          120,
          () => 5,
          (i) => (i % 2 === 0 ? -0.5 : 0.5),
          4,
        ),
      ),
    ).toEqual([]);
  });

  it('reports a burst of activity, and not the end of a quiet spell', () => {
    const burst = run(
      minutes(
        120,
        (i) => (i === 100 ? 200 : 20),
        () => 0,
        5,
      ),
    );
    expect(burst.filter((s) => s.kind === 'burst')).toMatchObject([
      { kind: 'burst', direction: 'up', minuteMs: minute(100) },
    ]);
    const lull = run(
      minutes(
        300,
        (i) => (i >= 200 && i < 230 ? 0.5 : 20),
        () => 0,
        6,
      ),
    );
    expect(lull.filter((s) => s.kind === 'burst')).toEqual([]);
  });

  it('decides the same after a round trip through its checkpoint form', () => {
    const series = minutes(
      120,
      (i) => (i === 100 ? 200 : 20),
      (i) => (i >= 95 ? -0.4 : 0.1),
      7,
    );
    const straight = run(series);
    const first = SubredditShifts.startingAt(minute(0));
    const head = series
      .slice(0, 60)
      .flatMap((m) => first.observe('politics', m, DEFAULT_SHIFT_OPTIONS));
    const restored = SubredditShifts.fromJSON(JSON.parse(JSON.stringify(first.toJSON())));
    const tail = series
      .slice(60)
      .flatMap((m) => restored.observe('politics', m, DEFAULT_SHIFT_OPTIONS));
    expect([...head, ...tail]).toEqual(straight);
  });
});

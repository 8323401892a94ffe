import { ManualClock } from '@app/common/clock';
import {
  type EngineInput,
  ingestAcrossLaneEnds,
  tumbling,
  WindowEngine,
  windowKey,
  type WindowResult,
} from '@app/streaming/domain/engine';
import { event, MemoryCheckpoint, MINUTE, T0 } from './fixtures';

const SECOND = 1_000;
const DAY = 86_400_000;
const BACKFILL = 'backfill:replay-2023';
const OTHER_BACKFILL = 'backfill:replay-2024';

function engine(): WindowEngine {
  return new WindowEngine({
    specs: [tumbling(MINUTE)],
    outOfOrdernessMs: 10 * SECOND,
    allowedLatenessMs: 30 * SECOND,
    idleTimeoutMs: 60 * SECOND,
    clock: new ManualClock(1_000_000),
    aggregate: { topK: 5, maxExactAuthors: 100 },
  });
}

const live = (offsetMs: number, fullname: string, subreddit = 'askreddit'): EngineInput =>
  event({ fullname, eventTimeMs: T0 + offsetMs, subreddit });

const inLane = (lane: string, timeMs: number, fullname: string, subreddit = 'askreddit') =>
  event({ fullname, eventTimeMs: timeMs, subreddit, lane });

/** Window key -> events counted, from every emission (the latest wins, as in the stores). */
function rows(results: readonly WindowResult[], into = new Map<string, number>()) {
  for (const r of results) into.set(r.key, r.comments + r.submissions);
  return into;
}

/** Windows of the same minute-spec in one subreddit, counted offline. */
function truth(inputs: readonly EngineInput[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of new Map(inputs.map((i) => [i.fullname, i])).values()) {
    const key = windowKey(e.subreddit, '1m', Math.floor(e.eventTimeMs / MINUTE) * MINUTE);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe('event-time lanes', () => {
  it('applies a backfill of two years ago next to a live stream, and leaves the live windows alone', () => {
    const e = engine();
    const liveEvents = [0, 20, 40, 70, 130].map((s, i) => live(s * SECOND, `t1_live${i}`));
    const history = [0, 15, 61, 75, 125, 190].map((s, i) =>
      inLane(BACKFILL, T0 - 730 * DAY + s * SECOND, `t1_old${i}`),
    );
    const emitted = new Map<string, number>();
    e.ingest('p0', liveEvents.slice(0, 3));
    rows(e.drain('p0').emissions, emitted);
    const liveBefore = new Map(emitted);
    const backfill = e.ingest('p0', history);
    expect(backfill.tooLate).toEqual([]);
    expect(backfill.applied).toHaveLength(history.length);
    const backfillRows = rows(e.drain('p0').emissions);
    // The backfill touched only its own windows.
    for (const key of backfillRows.keys()) expect(liveBefore.has(key)).toBe(false);
    for (const [key, count] of backfillRows) emitted.set(key, count);
    e.ingest('p0', liveEvents.slice(3));
    rows(e.drain('p0').emissions, emitted);
    expect(emitted).toEqual(truth([...liveEvents, ...history]));
  });

  it('without lanes the same history is too late: the live watermark would judge it', () => {
    const e = engine();
    e.ingest('p0', [live(0, 't1_live')]);
    const outcome = e.ingest('p0', [event({ fullname: 't1_old', eventTimeMs: T0 - 730 * DAY })]);
    expect(outcome.tooLate.map((i) => i.fullname)).toEqual(['t1_old']);
  });

  it('runs two backfills of different months at once, each judged by its own progress', () => {
    const e = engine();
    const january = Date.UTC(2024, 0, 10);
    const march = Date.UTC(2024, 2, 10);
    const a = Array.from({ length: 30 }, (_, i) =>
      inLane(BACKFILL, january + i * 7 * SECOND, `t1_a${i}`),
    );
    const b = Array.from({ length: 30 }, (_, i) =>
      inLane(OTHER_BACKFILL, march + i * 7 * SECOND, `t1_b${i}`),
    );
    const emitted = new Map<string, number>();
    // Interleaved, as two replays on one partition are.
    for (let i = 0; i < 30; i += 5) {
      const outcome = e.ingest('p0', [...b.slice(i, i + 5), ...a.slice(i, i + 5)]);
      expect(outcome.tooLate).toEqual([]);
      rows(e.drain('p0').emissions, emitted);
    }
    expect(emitted).toEqual(truth([...a, ...b]));
  });

  it('keeps a window both lanes feed open until the slower has passed it, and counts each event once', () => {
    const e = engine();
    const minute5 = windowKey('askreddit', '1m', T0 + 5 * MINUTE);
    // A backfill catching up with the present while the live stream runs.
    e.ingest('p0', [live(0, 't1_x'), live(5 * MINUTE, 't1_far')]);
    const overlap = e.ingest('p0', [
      inLane(BACKFILL, T0 + 5 * MINUTE + SECOND, 't1_far'), // the live stream has it already
      inLane(BACKFILL, T0 + 5 * MINUTE + 2 * SECOND, 't1_only_backfill'),
    ]);
    expect(overlap.duplicates.map((i) => i.fullname)).toEqual(['t1_far']);
    // The live lane moves far past the window's end and lateness...
    e.ingest('p0', [live(10 * MINUTE, 't1_later')]);
    const drained = e.drain('p0').emissions.find((r) => r.key === minute5);
    // ...but the backfill lane holds it: still open, not final, each event once.
    expect(drained).toMatchObject({ comments: 2, final: false });
    // Once the backfill passes it too, it is final, and then dropped.
    e.ingest('p0', [inLane(BACKFILL, T0 + 8 * MINUTE, 't1_backfill_later')]);
    expect(e.drain('p0').emissions.find((r) => r.key === minute5)).toMatchObject({
      comments: 2,
      final: true,
    });
  });

  it('refuses, as too late, a window another lane has already closed rather than rebuild it from part of its events', () => {
    const e = engine();
    e.ingest('p0', [live(0, 't1_a'), live(10 * SECOND, 't1_b')]);
    e.ingest('p0', [live(3 * MINUTE, 't1_c')]);
    e.drain('p0');
    // The live lane dropped the first minute (W = 2m50s >= 1m + 30 s).
    const late = e.ingest('p0', [inLane(BACKFILL, T0 + 20 * SECOND, 't1_history')]);
    expect(late.tooLate.map((i) => i.fullname)).toEqual(['t1_history']);
    // A subreddit the live lane never carried is free to be backfilled.
    const elsewhere = e.ingest('p0', [inLane(BACKFILL, T0 + 20 * SECOND, 't1_other', 'rust')]);
    expect(elsewhere.applied.map((i) => i.fullname)).toEqual(['t1_other']);
  });

  it('lets a backfill open windows in a stretch of time another lane passed over without events', () => {
    const e = engine();
    // An earlier backfill had the subreddit in 2019 and 2026 only.
    e.ingest('p0', [
      inLane(OTHER_BACKFILL, Date.UTC(2019, 5, 1), 't1_2019'),
      inLane(OTHER_BACKFILL, Date.UTC(2026, 3, 1), 't1_2026'),
    ]);
    e.drain('p0');
    const middle = e.ingest('p0', [inLane(BACKFILL, Date.UTC(2024, 0, 10), 't1_2024')]);
    expect(middle.applied.map((i) => i.fullname)).toEqual(['t1_2024']);
    // The window of its 2019 event it did hold, and dropped: a third lane is refused it...
    const sameWindow = e.ingest('p0', [
      inLane('backfill:third', Date.UTC(2019, 5, 1) + 20 * SECOND, 't1_same_window'),
    ]);
    expect(sameWindow.tooLate.map((i) => i.fullname)).toEqual(['t1_same_window']);
    // ...but not the next minute, which no lane held.
    const nextMinute = e.ingest('p0', [
      inLane('backfill:fourth', Date.UTC(2019, 5, 1) + 80 * SECOND, 't1_next_minute'),
    ]);
    expect(nextMinute.applied.map((i) => i.fullname)).toEqual(['t1_next_minute']);
  });

  it('makes the windows of a backfill final when its lane closes, without waiting for data', () => {
    const e = engine();
    const old = T0 - 100 * DAY;
    e.ingest('p0', [live(0, 't1_live'), inLane(BACKFILL, old, 't1_a')]);
    e.ingest('p0', [inLane(BACKFILL, old + 20 * SECOND, 't1_b')]);
    const open = e.drain('p0').emissions.find((r) => r.key === windowKey('askreddit', '1m', old));
    expect(open).toMatchObject({ comments: 2, final: false });

    const outcome = ingestAcrossLaneEnds(
      e,
      'p0',
      [inLane(BACKFILL, old + 30 * SECOND, 't1_c'), inLane(BACKFILL, old + 40 * SECOND, 't1_d')],
      [{ lane: BACKFILL, after: 1 }],
    );
    // Before the marker: applied; after it: the lane is closed, so too late.
    expect(outcome.applied.map((i) => i.fullname)).toEqual(['t1_c']);
    expect(outcome.tooLate.map((i) => i.fullname)).toEqual(['t1_d']);
    const drained = e.drain('p0');
    expect(
      drained.emissions.find((r) => r.key === windowKey('askreddit', '1m', old)),
    ).toMatchObject({
      comments: 3,
      final: true,
    });
    // Final, and gone from memory; the live window is untouched and still open.
    expect(drained.checkpoint.deleteWindows).toContain(windowKey('askreddit', '1m', old));
    expect(e.openWindowCount).toBe(1);
  });

  it('restores lanes from the checkpoint and decides exactly as before after a crash', () => {
    const inputs = [
      [live(0, 't1_l0'), inLane(BACKFILL, T0 - 400 * DAY, 't1_h0')],
      [live(50 * SECOND, 't1_l1'), inLane(BACKFILL, T0 - 400 * DAY + 70 * SECOND, 't1_h1')],
      [inLane(BACKFILL, T0 - 400 * DAY + 30 * SECOND, 't1_h2'), live(2 * MINUTE, 't1_l2')],
      [inLane(BACKFILL, T0 - 400 * DAY + 5 * SECOND, 't1_h0'), live(30 * SECOND, 't1_l3')],
      [inLane(BACKFILL, T0 - 400 * DAY + 5 * MINUTE, 't1_h3'), live(3 * MINUTE, 't1_l4')],
    ];
    const outcomes = (e: WindowEngine, from: number) =>
      inputs.slice(from).map((batch) => {
        const outcome = e.ingest('p0', batch);
        const emitted = e.drain('p0').emissions.map((r) => [r.key, r.comments, r.final]);
        return [outcome, emitted];
      });
    const straight = outcomes(engine(), 0);

    // Crash after the second batch: a new engine restores and re-reads from the third.
    const restoredCheckpoint = new MemoryCheckpoint();
    const crashed = engine();
    for (const batch of inputs.slice(0, 2)) {
      crashed.ingest('p0', batch);
      restoredCheckpoint.apply(crashed.drain('p0').checkpoint);
    }
    const second = engine();
    second.restorePartition('p0', restoredCheckpoint.state());
    expect(outcomes(second, 2)).toEqual(straight.slice(2));
  });
});

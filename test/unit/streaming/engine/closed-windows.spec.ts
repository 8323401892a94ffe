import { ManualClock } from '@app/common/clock';
import { type PartitionRef } from '@app/storage/records';
import { Checkpointer } from '@app/streaming/checkpointer';
import { MemoryCheckpointStore } from '../../../support/memory-checkpoint-store';
import { ClosedWindowArchive } from '@app/streaming/closed-window-archive';
import {
  type CheckpointDelta,
  type EngineInput,
  mergeCheckpointDeltas,
  hopping,
  ingestAcrossLaneEnds,
  type LaneEnd,
  LIVE_LANE,
  tumbling,
  WindowEngine,
  windowKey,
  type WindowResult,
} from '@app/streaming/domain/engine';
import { event, MINUTE, T0 } from './fixtures';

const SECOND = 1_000;
const HOUR = 3_600_000;
const BACKFILL = 'backfill:last-hour';
const REF: PartitionRef = { group: 'g', topic: 'reddit.events', partition: 0 };

const SPECS = [tumbling(MINUTE), hopping(5 * MINUTE, MINUTE)];

function newEngine(mergeHorizonMs = 24 * HOUR): WindowEngine {
  return new WindowEngine({
    specs: SPECS,
    outOfOrdernessMs: 10 * SECOND,
    allowedLatenessMs: 30 * SECOND,
    idleTimeoutMs: 60 * SECOND,
    clock: new ManualClock(1_000_000),
    aggregate: { topK: 5, maxExactAuthors: 100 },
    mergeHorizonMs,
  });
}

/**
 * One partition as the streaming service drives it: the archive is read
 * before each batch, every drain is checkpointed through the real
 * Checkpointer (so the archive's keys, ranges and purges are exercised), and
 * the stored rows keep the latest emission of each window.
 */
class Partition {
  engine: WindowEngine;
  readonly rows = new Map<string, WindowResult>();
  private readonly checkpointer: Checkpointer;
  private readonly archive: ClosedWindowArchive;
  private epoch = 0;
  private offset = 0n;
  private pending: CheckpointDelta | null = null;

  constructor(
    readonly store = new MemoryCheckpointStore(),
    private readonly horizonMs = 24 * HOUR,
  ) {
    this.engine = newEngine(horizonMs);
    this.checkpointer = new Checkpointer(store);
    this.archive = new ClosedWindowArchive(store);
  }

  async start(): Promise<void> {
    this.engine = newEngine(this.horizonMs);
    const claimed = await this.checkpointer.claim(REF, 'test');
    this.epoch = claimed.epoch;
    this.engine.restorePartition('p0', claimed.state);
  }

  async feed(inputs: readonly EngineInput[], ends: readonly LaneEnd[] = []) {
    const archived = await this.archive.read(REF, this.engine.archiveLookups('p0', inputs));
    return ingestAcrossLaneEnds(this.engine, 'p0', inputs, ends, archived);
  }

  /**
   * Drains; with `checkpoint`, saves what was drained since the last save
   * (else its emissions land, and its state waits for the next save, as in
   * the flusher: a crash before that loses it).
   */
  async flush(checkpoint = true): Promise<void> {
    const drained = this.engine.drain('p0');
    for (const r of drained.emissions) this.rows.set(r.key, r);
    const delta = this.pending
      ? mergeCheckpointDeltas(this.pending, drained.checkpoint)
      : drained.checkpoint;
    if (!checkpoint) {
      this.pending = delta;
      return;
    }
    this.pending = null;
    this.offset++;
    await this.checkpointer.save(REF, this.epoch, this.offset, delta);
    if (drained.drain !== null) this.engine.archived('p0', drained.drain);
  }
}

const live = (offsetMs: number, fullname: string, author = 'alice', subreddit = 'askreddit') =>
  event({ fullname, eventTimeMs: T0 + offsetMs, author, subreddit });
const backfill = (offsetMs: number, fullname: string, author = 'alice', subreddit = 'askreddit') =>
  event({ fullname, eventTimeMs: T0 + offsetMs, author, subreddit, lane: BACKFILL });

/** Per window key: events and distinct authors over the union of the inputs, each fullname once. */
function truth(inputs: readonly EngineInput[]): Map<string, [number, number]> {
  const byKey = new Map<string, { n: number; authors: Set<string> }>();
  for (const e of new Map(inputs.map((i) => [i.fullname, i])).values()) {
    for (const spec of SPECS) {
      const slide = spec.kind === 'hopping' ? spec.slideMs : spec.sizeMs;
      const last = Math.floor(e.eventTimeMs / slide) * slide;
      for (let start = last; start > e.eventTimeMs - spec.sizeMs; start -= slide) {
        const key = windowKey(e.subreddit, spec.name, start);
        const w = byKey.get(key) ?? { n: 0, authors: new Set<string>() };
        w.n++;
        w.authors.add(e.author);
        byKey.set(key, w);
      }
    }
  }
  return new Map([...byKey].map(([k, w]) => [k, [w.n, w.authors.size]]));
}

function stored(rows: ReadonlyMap<string, WindowResult>): Map<string, [number, number]> {
  return new Map(
    [...rows].map(([k, r]) => [k, [r.comments + r.submissions, r.uniqueAuthors]] as const),
  );
}

describe('closed windows: a backfill merges into windows another lane has closed', () => {
  it('reopens a window the live stream closed, counting only the events it did not hold', async () => {
    const p = new Partition();
    await p.start();
    await p.feed([live(0, 't1_a', 'ann'), live(10 * SECOND, 't1_b', 'bob')]);
    await p.feed([live(8 * MINUTE, 't1_c', 'cat')]);
    await p.flush();
    // The live lane has dropped the first minute: it is archived, not held.
    const firstMinute = windowKey('askreddit', '1m', T0);
    expect(p.rows.get(firstMinute)).toMatchObject({ comments: 2, final: true });
    expect(p.engine.openWindowCount).toBeLessThan(SPECS.length * 6);
    expect(p.store.count('closed-window')).toBeGreaterThan(0);

    // The backfill of the last hour carries one of the same comments and one the live stream missed.
    const outcome = await p.feed([
      backfill(0, 't1_a', 'ann'),
      backfill(20 * SECOND, 't1_missed', 'dan'),
    ]);
    expect(outcome.duplicates.map((e) => e.fullname)).toEqual(['t1_a']);
    expect(outcome.applied.map((e) => e.fullname)).toEqual(['t1_missed']);
    expect(outcome.tooLate).toEqual([]);
    await p.flush();
    // Open again until the backfill's lane has passed it too.
    expect(p.rows.get(firstMinute)).toMatchObject({
      comments: 3,
      uniqueAuthors: 3,
      final: false,
    });
    await p.feed([backfill(9 * MINUTE, 't1_backfill_later', 'eve')]);
    await p.flush();
    expect(p.rows.get(firstMinute)).toMatchObject({
      comments: 3,
      uniqueAuthors: 3,
      emission: 'final',
      final: true,
    });
  });

  it('equals the offline truth over both inputs, with a crash in the middle', async () => {
    // Live: a comment every 7 s over 20 minutes. Backfill of the same 20
    // minutes: every third live comment again, plus its own, arriving after
    // the live lane has closed most of the windows.
    const liveEvents = Array.from({ length: 170 }, (_, i) =>
      live(i * 7 * SECOND, `t1_l${i}`, `u${i % 13}`),
    );
    const history = [
      ...liveEvents.filter((_, i) => i % 3 === 0).map((e) => ({ ...e, lane: BACKFILL })),
      ...Array.from({ length: 90 }, (_, i) => backfill(i * 13 * SECOND, `t1_h${i}`, `h${i % 5}`)),
    ].sort((a, b) => a.eventTimeMs - b.eventTimeMs);
    const batches = [
      ...chunks(liveEvents, 25),
      ...chunks(history, 20),
      [live(40 * MINUTE, 't1_live_later')],
    ];
    const expected = truth([...liveEvents, ...history, live(40 * MINUTE, 't1_live_later')]);

    const straight = new Partition();
    await straight.start();
    for (const batch of batches) {
      const outcome = await straight.feed(batch);
      expect(outcome.tooLate).toEqual([]);
      await straight.flush();
    }

    // The same input with a checkpoint every `every` flushes and a crash
    // after batch `crashAfter`: the restarted partition re-reads from its
    // checkpoint, over the rows the first run had already written.
    const crashed: Map<string, [number, number]>[] = [];
    for (const [crashAfter, every] of [
      [3, 2],
      [8, 2],
      [9, 3],
      [10, 2],
      [11, 4],
      [13, 3],
    ] as const) {
      const store = new MemoryCheckpointStore();
      const first = new Partition(store);
      await first.start();
      let checkpointedBatches = 0;
      for (const [i, batch] of batches.slice(0, crashAfter).entries()) {
        await first.feed(batch);
        const checkpoint = i % every === every - 1;
        await first.flush(checkpoint);
        if (checkpoint) checkpointedBatches = i + 1;
      }
      const second = new Partition(store);
      await second.start();
      for (const [k, r] of first.rows) second.rows.set(k, r);
      for (const batch of batches.slice(checkpointedBatches)) {
        await second.feed(batch);
        await second.flush();
      }
      crashed.push(stored(second.rows));
    }

    expect(stored(straight.rows)).toEqual(expected);
    for (const rows of crashed) expect(rows).toEqual(expected);
  });

  it('opens afresh a minute the live lane passed without events, instead of refusing it', async () => {
    const p = new Partition();
    await p.start();
    // Live events in minutes 0 and 3, none in between: the lane's stretch of time covers both.
    await p.feed([live(0, 't1_a'), live(3 * MINUTE, 't1_b'), live(10 * MINUTE, 't1_c')]);
    await p.flush();
    const outcome = await p.feed([backfill(MINUTE + 5 * SECOND, 't1_quiet_minute')]);
    expect(outcome.applied.map((e) => e.fullname)).toEqual(['t1_quiet_minute']);
    await p.flush();
    expect(p.rows.get(windowKey('askreddit', '1m', T0 + MINUTE))).toMatchObject({ comments: 1 });
  });

  it('counts a second replay of the same history as duplicates, and changes no row', async () => {
    const p = new Partition();
    await p.start();
    const items = Array.from({ length: 30 }, (_, i) => backfill(i * 10 * SECOND, `t1_r${i}`));
    await p.feed(items, [{ lane: BACKFILL, after: items.length }]);
    await p.flush();
    const before = stored(p.rows);
    const again = items.map((e) => ({ ...e, lane: 'backfill:again' }));
    const outcome = await p.feed(again, [{ lane: 'backfill:again', after: again.length }]);
    await p.flush();
    expect(outcome.duplicates).toHaveLength(items.length);
    expect(outcome.tooLate).toEqual([]);
    expect(stored(p.rows)).toEqual(before);
    expect(before).toEqual(truth(items));
  });

  it('beyond the merge horizon refuses the window as too late, and purges the archive behind it', async () => {
    const p = new Partition(new MemoryCheckpointStore(), HOUR);
    await p.start();
    await p.feed([live(0, 't1_a'), live(10 * SECOND, 't1_b')]);
    await p.feed([live(5 * MINUTE, 't1_c')]);
    await p.flush();
    const archivedEarly = p.store.count('closed-window');
    expect(archivedEarly).toBeGreaterThan(0);
    // Three hours on, the first windows are beyond the one-hour horizon.
    await p.feed([live(3 * HOUR, 't1_d')]);
    await p.flush();
    expect(p.store.count('closed-window')).toBeLessThan(archivedEarly + SPECS.length * 8);
    const outcome = await p.feed([backfill(20 * SECOND, 't1_too_old')]);
    expect(outcome.tooLate.map((e) => e.fullname)).toEqual(['t1_too_old']);
    const keys = [...p.store.items.values()]
      .filter((i) => i.kind === 'closed-window')
      .map((i) => i.key);
    expect(keys.every((k) => Number(k.slice(0, 15)) >= T0 + 3 * HOUR - HOUR - 5 * MINUTE)).toBe(
      true,
    );
  });

  it('makes the live windows final when the last live stream stops, and reopens them if live data comes again', async () => {
    const p = new Partition();
    await p.start();
    const first = Array.from({ length: 40 }, (_, i) =>
      live(i * 5 * SECOND, `t1_a${i}`, `u${i % 7}`),
    );
    await p.feed(first);
    await p.flush();
    expect([...p.rows.values()].some((r) => !r.final)).toBe(true);
    // The stop marker: every live window becomes final, and leaves memory.
    await p.feed([], [{ lane: LIVE_LANE, after: 0 }]);
    await p.flush();
    expect([...p.rows.values()].every((r) => r.final)).toBe(true);
    expect(p.engine.openWindowCount).toBe(0);

    // A live stream starts again: a late item of the last minute, one already counted, newer ones.
    const again = [
      live(195 * SECOND + 500, 't1_b0', 'zed'),
      live(150 * SECOND, 't1_a30', 'u2'),
      ...Array.from({ length: 20 }, (_, i) => live(200 * SECOND + i * 5 * SECOND, `t1_b${i + 1}`)),
    ];
    const outcome = await p.feed(again);
    expect(outcome.duplicates.map((e) => e.fullname)).toEqual(['t1_a30']);
    expect(outcome.tooLate).toEqual([]);
    await p.flush();
    expect(stored(p.rows)).toEqual(truth([...first, ...again]));
  });

  it('counts an event once whether or not a flush came between the lane closing and its duplicate arriving', async () => {
    const results: Map<string, [number, number]>[] = [];
    for (const flushBetween of [false, true]) {
      const p = new Partition();
      await p.start();
      const first = [live(0, 't1_f', 'ann'), live(20 * SECOND, 't1_g', 'bob')];
      await p.feed(first);
      // The live lane ends (its windows are dropped, still held until the next drain)...
      await p.feed([], [{ lane: LIVE_LANE, after: 0 }]);
      if (flushBetween) await p.flush();
      // ...and a backfill brings one of the same comments and a new one.
      const history = [backfill(0, 't1_f', 'ann'), backfill(30 * SECOND, 't1_h', 'cy')];
      const outcome = await p.feed(history);
      expect(outcome.duplicates.map((e) => e.fullname)).toEqual(['t1_f']);
      await p.feed([backfill(20 * MINUTE, 't1_later')], [{ lane: BACKFILL, after: 1 }]);
      await p.flush();
      expect([...p.rows.values()].every((r) => r.final)).toBe(true);
      results.push(stored(p.rows));
    }
    const all = [
      live(0, 't1_f', 'ann'),
      live(20 * SECOND, 't1_g', 'bob'),
      backfill(30 * SECOND, 't1_h', 'cy'),
      backfill(20 * MINUTE, 't1_later'),
    ];
    expect(results[0]).toEqual(truth(all));
    expect(results[1]).toEqual(truth(all));
  });

  it('with the archive off, refuses as before', async () => {
    const p = new Partition(new MemoryCheckpointStore(), 0);
    await p.start();
    await p.feed([live(0, 't1_a')]);
    await p.feed([live(8 * MINUTE, 't1_c')]);
    await p.flush();
    const outcome = await p.feed([backfill(20 * SECOND, 't1_missed')]);
    expect(outcome.tooLate.map((e) => e.fullname)).toEqual(['t1_missed']);
    expect(p.store.count('closed-window')).toBe(0);
  });
});

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

import { ManualClock } from '@app/common/clock';
import { WindowAggregate, type WindowAggregateJSON } from '@app/streaming/domain/engine';
import {
  type CheckpointDelta,
  mergeCheckpointDeltas,
  type EngineInput,
  type SeenRow,
  WindowEngine,
  type WindowEngineOptions,
  type WindowResult,
  type WindowSnapshot,
} from '@app/streaming/domain/engine';
import { hopping, parseWindowSpec, tumbling } from '@app/common/window-spec';
import { event, MemoryCheckpoint, MINUTE, T0 } from './fixtures';

const SECOND = 1_000;
const KEY_T0 = `askreddit|1m|${T0}`;

function engineWith(overrides: Partial<WindowEngineOptions> = {}): {
  engine: WindowEngine;
  clock: ManualClock;
} {
  const clock = new ManualClock(1_000_000);
  const engine = new WindowEngine({
    specs: [tumbling(MINUTE)],
    outOfOrdernessMs: 10 * SECOND,
    allowedLatenessMs: 30 * SECOND,
    idleTimeoutMs: 60 * SECOND,
    clock,
    aggregate: { topK: 5, maxExactAuthors: 100 },
    ...overrides,
  });
  return { engine, clock };
}

const at = (offsetMs: number, fullname: string, extra: Partial<EngineInput> = {}): EngineInput =>
  event({ fullname, eventTimeMs: T0 + offsetMs, ...extra });

const brief = (results: readonly WindowResult[]) =>
  results.map((r) => [r.key, r.emission, r.comments + r.submissions]);

/** Forty batches on p0 with out-of-order, late, too-late and redelivered events. */
function mixedBatches(): { partition: string; inputs: EngineInput[]; advanceMs: number }[] {
  const subs = ['rust', 'golang', 'python'];
  const batches: { partition: string; inputs: EngineInput[]; advanceMs: number }[] = [];
  for (let i = 0; i < 40; i++) {
    const inputs: EngineInput[] = [];
    for (let j = 0; j < 5; j++) {
      const n = i * 5 + j;
      // Mostly increasing time with jitter up to 2.5 min back: out of order, late, too late;
      // fullnames repeat (n % 180): duplicates across batches.
      const offset = n * 4 * SECOND - ((n * 37) % 150) * SECOND;
      const sub = subs[n % 3] ?? 'rust';
      inputs.push(
        at(offset, `t1_${n % 180}`, {
          subreddit: sub,
          author: `u${n % 17}`,
          sentiment: ((n % 7) - 3) / 3,
          keywords: [{ key: `k${n % 4}`, count: 1 + (n % 2) }],
          mentions: [`m${n % 3}`],
        }),
      );
    }
    if (i % 10 === 9) inputs.push(at(i * 20 * SECOND - 6 * MINUTE, `t3_old${i}`));
    // A redelivery of the previous batch's first event.
    const previous = batches[i - 1]?.inputs[0];
    if (previous) inputs.push(previous);
    batches.push({ partition: 'p0', inputs, advanceMs: (i % 4) * 10 * SECOND });
  }
  return batches;
}

describe('WindowEngine', () => {
  it('emits partials, fires when the watermark passes the end, re-emits late-but-allowed events, and reports too-late ones', () => {
    const { engine } = engineWith();

    engine.ingest('p0', [at(30 * SECOND, 't1_b'), at(5 * SECOND, 't1_a')]);
    expect(engine.watermarkMs).toBe(T0 + 20 * SECOND);
    expect(brief(engine.drain('p0').emissions)).toEqual([[KEY_T0, 'partial', 2]]);
    expect(engine.drain('p0').emissions).toEqual([]); // nothing changed since

    // Out of order but not late: W = 20s, the window is still open.
    engine.ingest('p0', [at(69 * SECOND, 't1_d'), at(12 * SECOND, 't1_c')]);
    expect(brief(engine.drain('p0').emissions)).toEqual([
      [KEY_T0, 'partial', 3],
      [`askreddit|1m|${T0 + MINUTE}`, 'partial', 1],
    ]);

    engine.ingest('p0', [at(75 * SECOND, 't1_e')]);
    expect(engine.watermarkMs).toBe(T0 + 65 * SECOND);
    const fired = engine.drain('p0').emissions;
    expect(brief(fired)).toEqual([
      [KEY_T0, 'final', 3],
      [`askreddit|1m|${T0 + MINUTE}`, 'partial', 2],
    ]);
    expect(fired[0]?.final).toBe(true);

    // Late (40s < W = 65s) but within lateness (W < 60s + 30s): re-emitted under the same key.
    const late = engine.ingest('p0', [at(40 * SECOND, 't1_f')]);
    expect(late.tooLate).toEqual([]);
    expect(brief(engine.drain('p0').emissions)).toEqual([[KEY_T0, 'refire', 4]]);

    // W reaches 100s >= 60s + 30s: the first window is dropped from state.
    engine.ingest('p0', [at(110 * SECOND, 't1_g')]);
    const dropped = engine.drain('p0');
    expect(dropped.checkpoint.deleteWindows).toEqual([KEY_T0]);
    expect(engine.openWindowCount).toBe(1);

    const tooLate = at(50 * SECOND, 't1_h');
    const outcome = engine.ingest('p0', [tooLate]);
    expect(outcome.tooLate).toEqual([tooLate]);
    expect(outcome.applied).toEqual([]);
    expect(engine.drain('p0').emissions).toEqual([]);
  });

  it('counts a duplicate fullname once, within a batch and across batches', () => {
    const { engine } = engineWith();
    const first = engine.ingest('p0', [
      at(1 * SECOND, 't1_a', { score: 5 }),
      at(1 * SECOND, 't1_a', { score: 5 }),
    ]);
    expect(first.applied.map((e) => e.fullname)).toEqual(['t1_a']);
    expect(first.duplicates.map((e) => e.fullname)).toEqual(['t1_a']);
    engine.drain('p0');
    const again = engine.ingest('p0', [at(1 * SECOND, 't1_a', { score: 5 })]);
    expect(again.duplicates).toHaveLength(1);
    expect(engine.drain('p0').emissions).toEqual([]);
    engine.ingest('p0', [at(2 * MINUTE, 't1_z')]);
    const [window] = engine.drain('p0').emissions;
    expect(window).toMatchObject({ key: KEY_T0, comments: 1, scoreSum: 5, emission: 'final' });
  });

  it('updates every hopping window an event falls in', () => {
    const { engine } = engineWith({ specs: [parseWindowSpec('1m'), hopping(3 * MINUTE, MINUTE)] });
    engine.ingest('p0', [at(10 * SECOND, 't1_a')]);
    expect(
      engine
        .drain('p0')
        .emissions.map((r) => r.key)
        .sort(),
    ).toEqual(
      [
        KEY_T0,
        `askreddit|3m/1m|${T0 - 2 * MINUTE}`,
        `askreddit|3m/1m|${T0 - MINUTE}`,
        `askreddit|3m/1m|${T0}`,
      ].sort(),
    );
  });

  it("fires each partition's windows on its own progress, while a slow partition holds the operator watermark back until it goes idle", () => {
    const { engine, clock } = engineWith({ outOfOrdernessMs: 0 });
    engine.ingest('p1', [at(5 * SECOND, 't1_b', { subreddit: 'golang' })]);
    engine.ingest('p0', [at(10 * SECOND, 't1_a', { subreddit: 'rust' })]);
    engine.ingest('p0', [at(3 * MINUTE, 't1_c', { subreddit: 'rust' })]);
    expect(engine.watermarkMs).toBe(T0 + 5 * SECOND); // p1 holds the operator watermark back
    // ... but not p0's windows: no event of p1 can change them.
    expect(brief(engine.drain('p0').emissions)).toEqual([
      [`rust|1m|${T0}`, 'final', 1],
      [`rust|1m|${T0 + 3 * MINUTE}`, 'partial', 1],
    ]);
    engine.drain('p1');

    clock.advance(30 * SECOND);
    engine.ingest('p0', [at(3 * MINUTE + 1, 't1_d', { subreddit: 'rust' })]);
    clock.advance(31 * SECOND); // p1 silent for 61s > 60s idle timeout
    engine.tick();
    expect(engine.watermarkMs).toBe(T0 + 3 * MINUTE + 1);
    expect(brief(engine.drain('p0').emissions)).toEqual([
      [`rust|1m|${T0 + 3 * MINUTE}`, 'partial', 2],
    ]);
    // p1's own window waits for p1's own progress.
    expect(engine.hasPending('p1')).toBe(false);

    // p1 comes back with an event behind the operator watermark but not behind its own: applied.
    const back = engine.ingest('p1', [at(20 * SECOND, 't1_e', { subreddit: 'golang' })]);
    expect(back.tooLate).toEqual([]);
    expect(brief(engine.drain('p1').emissions)).toEqual([[`golang|1m|${T0}`, 'partial', 2]]);
    expect(engine.watermarkMs).toBe(T0 + 3 * MINUTE + 1); // never back
    engine.ingest('p1', [at(2 * MINUTE, 't1_f', { subreddit: 'golang' })]);
    expect(brief(engine.drain('p1').emissions)).toEqual([
      [`golang|1m|${T0}`, 'final', 2],
      [`golang|1m|${T0 + 2 * MINUTE}`, 'partial', 1],
    ]);
  });

  it('judges each event by the watermark just before it, so the batch boundaries change nothing', () => {
    // t1_b moves W to 100s - 10s = 90s = end of the first window + lateness: t1_c, after it, is too late.
    const inputs = [at(50 * SECOND, 't1_a'), at(100 * SECOND, 't1_b'), at(55 * SECOND, 't1_c')];
    const together = engineWith().engine;
    const outcome = together.ingest('p0', inputs);
    expect(outcome.tooLate.map((e) => e.fullname)).toEqual(['t1_c']);
    expect(outcome.tooLateWatermarksMs).toEqual([T0 + 90 * SECOND]);

    const apart = engineWith().engine;
    const split = inputs.map((input) => apart.ingest('p0', [input]));
    expect(split.flatMap((o) => o.tooLate.map((e) => e.fullname))).toEqual(['t1_c']);
    expect(brief(apart.drain('p0').emissions)).toEqual(brief(together.drain('p0').emissions));
  });

  it('gives a partition the same results whatever else the consumer owns and however idle it is', () => {
    // p0's events, with disorder that comes close to the lateness bound.
    const p0: EngineInput[] = [];
    for (let n = 0; n < 120; n++) {
      const offset = n * 3 * SECOND - ((n * 53) % 250) * SECOND;
      p0.push(at(offset, `t1_p${n}`, { subreddit: 'rust', author: `u${n % 9}` }));
    }
    const resultsOfP0 = (others: 'none' | 'ahead' | 'behind', idleGapsMs: number) => {
      const { engine, clock } = engineWith({
        specs: [tumbling(MINUTE), hopping(2 * MINUTE, MINUTE)],
      });
      const tooLate: string[] = [];
      const rows = new Map<string, WindowResult>();
      for (let i = 0; i < p0.length; i += 7) {
        if (others !== 'none') {
          const t = others === 'ahead' ? 30 * MINUTE + i * SECOND : -30 * MINUTE;
          engine.ingest('p1', [at(t, `t1_o${i}`, { subreddit: 'golang' })]);
        }
        clock.advance(idleGapsMs);
        engine.tick();
        tooLate.push(...engine.ingest('p0', p0.slice(i, i + 7)).tooLate.map((e) => e.fullname));
        for (const r of engine.drain('p0').emissions) rows.set(r.key, r);
      }
      return { tooLate, rows: [...rows.values()].map((r) => ({ ...r, watermarkMs: null })) };
    };
    const alone = resultsOfP0('none', 0);
    expect(alone.tooLate.length).toBeGreaterThan(0);
    expect(resultsOfP0('ahead', 0)).toEqual(alone);
    expect(resultsOfP0('behind', 0)).toEqual(alone);
    // Idle gaps longer than the idle timeout change which partitions hold the operator watermark.
    expect(resultsOfP0('behind', 61 * SECOND)).toEqual(alone);
  });

  it('judges a partition taken over from another consumer by its own checkpointed progress', () => {
    // One consumer ran far ahead on p0; p1 arrives from another consumer's checkpoint, behind.
    const { engine } = engineWith({ outOfOrdernessMs: 0 });
    engine.ingest('p0', [at(10 * MINUTE, 't1_a', { subreddit: 'rust' })]);
    engine.restorePartition('p1', { maxEventTimeMs: T0 + MINUTE, windows: [], seen: [] });
    const backlog = engine.ingest('p1', [at(MINUTE + SECOND, 't1_b', { subreddit: 'golang' })]);
    expect(backlog.tooLate).toEqual([]);
    expect(brief(engine.drain('p1').emissions)).toEqual([
      [`golang|1m|${T0 + MINUTE}`, 'partial', 1],
    ]);
    // Too late relative to p1's own progress is still too late.
    const old = engine.ingest('p1', [at(-MINUTE, 't1_c', { subreddit: 'golang' })]);
    expect(old.tooLate.map((e) => e.fullname)).toEqual(['t1_c']);
  });

  it('drops the state of a partition it no longer owns', () => {
    const { engine } = engineWith();
    engine.ingest('p0', [at(1 * SECOND, 't1_a', { subreddit: 'rust' })]);
    engine.ingest('p1', [at(1 * SECOND, 't1_b', { subreddit: 'golang' })]);
    engine.dropPartition('p1');
    expect(engine.openWindowCount).toBe(1);
    expect(engine.drain('p1').emissions).toEqual([]);
    expect(engine.hasPending('p1')).toBe(false);
  });

  it('forgets counted fullnames once no window they belong to can change, and says which rows to delete', () => {
    const { engine } = engineWith({ outOfOrdernessMs: 0 });
    engine.ingest('p0', [at(1 * SECOND, 't1_a')]);
    const first = engine.drain('p0').checkpoint;
    expect(first.appendSeen.map((row) => row.entries)).toEqual([
      [['t1_a', T0 + SECOND, 'askreddit', 'alice']],
    ]);
    expect(engine.seenCount).toBe(1);
    // Horizon = W - (1m size + 30s lateness); W = 3m puts t1_a's minute behind it.
    engine.ingest('p0', [at(3 * MINUTE, 't1_b')]);
    const second = engine.drain('p0').checkpoint;
    expect(second.deleteWindows).toEqual([KEY_T0]);
    // Its window was still held until this drain emitted it a last time:
    // its fullnames are forgotten at the next advance, not before.
    expect(second.deleteSeen).toEqual([]);
    engine.tick();
    const third = engine.drain('p0').checkpoint;
    expect(third.deleteSeen).toEqual([first.appendSeen[0]?.seq]);
    expect(engine.seenCount).toBe(1);
  });

  it('checkpoints windows without their author names and rebuilds them, past the exact limit too, from the counted events', () => {
    const options = {
      specs: [tumbling(MINUTE), hopping(2 * MINUTE, MINUTE)],
      aggregate: { topK: 5, maxExactAuthors: 4 },
    };
    // Three windows per event: 1m, and two 2m/1m. The first 17 events bring 12 authors (the
    // sketches saturate), the rest only 3 of them, so the restored part matters.
    const inputs = Array.from({ length: 30 }, (_, n) =>
      at(n * 2 * SECOND, `t1_${n}`, { author: `author${n < 17 ? n % 12 : n % 3}` }),
    );
    const straight = engineWith(options).engine;
    straight.ingest('p0', inputs);
    const expected = straight.drain('p0').emissions;
    expect(expected.some((r) => !r.uniqueAuthorsExact)).toBe(true);

    const first = engineWith(options).engine;
    const store = new MemoryCheckpoint();
    first.ingest('p0', inputs.slice(0, 17));
    store.apply(first.drain('p0').checkpoint);
    for (const w of store.windows.values()) expect(JSON.stringify(w)).not.toMatch(/author\d/);

    const second = engineWith(options).engine;
    second.restorePartition('p0', store.state());
    second.ingest('p0', inputs.slice(17));
    expect(second.drain('p0').emissions).toEqual(expected);
  });

  it('restores a checkpoint written before seen rows carried authors from the authors in its windows', () => {
    // The aggregate as checkpoints held it: the full JSON, author names included.
    const counted = new WindowAggregate({ topK: 5, maxExactAuthors: 100 });
    counted.add(at(SECOND, 't1_a', { author: 'alice' }));
    counted.add(at(2 * SECOND, 't1_b', { author: 'bob' }));

    const legacy = engineWith().engine;
    legacy.restorePartition('p0', {
      maxEventTimeMs: T0 + 2 * SECOND,
      windows: [
        {
          subreddit: 'askreddit',
          window: '1m',
          windowStartMs: T0,
          finalEmitted: false,
          aggregate: JSON.parse(JSON.stringify(counted.toJSON())) as WindowAggregateJSON,
        },
      ],
      seen: [
        {
          seq: 0,
          maxEventTimeMs: T0 + 2 * SECOND,
          entries: [
            ['t1_a', T0 + SECOND],
            ['t1_b', T0 + 2 * SECOND],
          ],
        },
      ],
    });
    const again = legacy.ingest('p0', [
      at(3 * SECOND, 't1_a'),
      at(4 * SECOND, 't1_c', { author: 'alice' }),
    ]);
    expect(again.duplicates.map((e) => e.fullname)).toEqual(['t1_a']);
    expect(legacy.drain('p0').emissions[0]).toMatchObject({ comments: 3, uniqueAuthors: 2 });
  });

  it('restored from its checkpoint deltas, produces what uninterrupted processing produces', () => {
    const batches = mixedBatches();
    const options = { specs: [tumbling(MINUTE), hopping(2 * MINUTE, MINUTE)] };

    const run = (
      engine: WindowEngine,
      clock: ManualClock,
      store: MemoryCheckpoint,
      from: number,
      to: number,
    ) => {
      const out: unknown[] = [];
      for (const b of batches.slice(from, to)) {
        clock.advance(b.advanceMs);
        const outcome = engine.ingest(b.partition, b.inputs);
        const drained = engine.drain(b.partition);
        store.apply(drained.checkpoint);
        out.push({
          tooLate: outcome.tooLate.map((e) => e.fullname),
          duplicates: outcome.duplicates.map((e) => e.fullname),
          emissions: drained.emissions,
        });
      }
      return out;
    };

    const straight = engineWith(options);
    const expected = run(
      straight.engine,
      straight.clock,
      new MemoryCheckpoint(),
      0,
      batches.length,
    );

    const first = engineWith(options);
    const store = new MemoryCheckpoint();
    const head = run(first.engine, first.clock, store, 0, 20);
    const second = engineWith(options);
    second.clock.set(first.clock.now());
    second.engine.restorePartition('p0', store.state());
    const tail = run(second.engine, second.clock, store, 20, batches.length);

    expect([...head, ...tail]).toEqual(expected);
    const all = expected as {
      tooLate: string[];
      duplicates: string[];
      emissions: WindowResult[];
    }[];
    expect(all.some((r) => r.emissions.some((e) => e.emission === 'refire'))).toBe(true);
    expect(all.some((r) => r.tooLate.length > 0)).toBe(true);
    expect(all.some((r) => r.duplicates.length > 0)).toBe(true);
    expect(
      all.flatMap((r) => r.emissions).filter((e) => e.emission === 'final').length,
    ).toBeGreaterThan(10);
  });
  it('checkpointing every third drain, after a crash replays to the same emissions from the last checkpoint', () => {
    const batches = mixedBatches();
    const options = { specs: [tumbling(MINUTE), hopping(2 * MINUTE, MINUTE)] };
    const emissionsOf = (engine: WindowEngine, clock: ManualClock, from: number, to: number) =>
      batches.slice(from, to).map((b) => {
        clock.advance(b.advanceMs);
        const outcome = engine.ingest(b.partition, b.inputs);
        return { tooLate: outcome.tooLate, emissions: engine.drain(b.partition).emissions };
      });
    const straight = engineWith(options);
    const expected = emissionsOf(straight.engine, straight.clock, 0, batches.length);

    // Drains after every batch, checkpoints after every third; "crashes" after batch 23,
    // with the deltas of batches 22 and 23 written as outputs but not checkpointed.
    const first = engineWith(options);
    const store = new MemoryCheckpoint();
    let pending: CheckpointDelta | null = null;
    let checkpointed = 0;
    for (let i = 0; i < 23; i++) {
      const b = batches[i]!;
      first.clock.advance(b.advanceMs);
      first.engine.ingest(b.partition, b.inputs);
      const { checkpoint } = first.engine.drain(b.partition);
      pending = pending ? mergeCheckpointDeltas(pending, checkpoint) : checkpoint;
      if (i % 3 === 2) {
        store.apply(pending);
        pending = null;
        checkpointed = i + 1;
      }
    }
    expect(checkpointed).toBe(21);

    const second = engineWith(options);
    second.clock.set(first.clock.now());
    second.engine.restorePartition('p0', store.state());
    const replayed = emissionsOf(second.engine, second.clock, checkpointed, batches.length);
    expect(replayed).toEqual(expected.slice(checkpointed));
  });
  it('merges checkpoint deltas: latest snapshot per window, nothing added and deleted in between', () => {
    const snapshot = (windowStartMs: number, comments: number): WindowSnapshot => {
      const aggregate = new WindowAggregate({ topK: 5, maxExactAuthors: 100 });
      aggregate.comments = comments;
      return {
        subreddit: 'rust',
        window: '1m',
        windowStartMs,
        finalEmitted: false,
        aggregate: aggregate.toCountsJSON(),
      };
    };
    const row = (seq: number): SeenRow => ({ seq, maxEventTimeMs: T0 + seq, entries: [] });
    const older: CheckpointDelta = {
      maxEventTimeMs: T0 + 1,
      upsertWindows: [snapshot(T0, 1), snapshot(T0 + MINUTE, 1)],
      deleteWindows: [],
      appendSeen: [row(7), row(8)],
      deleteSeen: [3],
    };
    const newer: CheckpointDelta = {
      maxEventTimeMs: T0 + 2,
      upsertWindows: [snapshot(T0 + MINUTE, 2)],
      deleteWindows: [`rust|1m|${T0}`],
      appendSeen: [row(9)],
      deleteSeen: [7, 4],
    };
    const merged = mergeCheckpointDeltas(older, newer);
    expect(merged.maxEventTimeMs).toBe(T0 + 2);
    expect(merged.upsertWindows).toEqual([snapshot(T0 + MINUTE, 2)]);
    expect(merged.deleteWindows).toEqual([`rust|1m|${T0}`]);
    expect(merged.appendSeen.map((r) => r.seq)).toEqual([8, 9]);
    expect(merged.deleteSeen).toEqual([3, 4]);
  });
});

import { Readable } from 'node:stream';
import { AppError } from '@app/common/app-error';
import { ManualClock } from '@app/common/clock';
import { type RedditEvent } from '@app/events/reddit-event';
import { DumpDecompressor } from '@app/ingest/sources/replay/dump-decompressor';
import {
  createReplaySource,
  type ReplaySource,
  type ReplaySourceOptions,
  startLineAfter,
} from '@app/ingest/sources/replay/replay.source';
import { type IngestReject } from '@app/ingest/sources/stream-source';
import {
  buildDump,
  type BuiltDump,
  dumpVariants,
  expectedEvents,
  expectedRejects,
  fieldsOf,
  loadRecordedItems,
  malformedLines,
  overLongLine,
  type RecordedItem,
  tempDir,
  writeDump,
} from '../../support/replay-dumps';

const NOW = Date.UTC(2025, 5, 1, 12);
const STREAM = 'replay-test';

interface Drained {
  readonly events: RedditEvent[];
  readonly rejects: IngestReject[];
  readonly pulls: number;
}

async function drain(source: ReplaySource, max = 50): Promise<Drained> {
  const events: RedditEvent[] = [];
  const rejects: IngestReject[] = [];
  let pulls = 0;
  const signal = new AbortController().signal;
  while (!source.exhausted) {
    if (++pulls > 10_000) throw new Error('the source never became exhausted');
    const batch = await source.pull(max, signal);
    expect(batch.events.length).toBeLessThanOrEqual(max);
    events.push(...batch.events);
    rejects.push(...batch.rejects);
  }
  return { events, rejects, pulls };
}

function lineOf(reject: IngestReject): number {
  return Number(/^line (\d+) of /.exec(reject.position)?.[1]);
}

describe('ReplaySource', () => {
  const tmp = tempDir('replay-source');
  afterAll(() => tmp.cleanup());

  const recorded = loadRecordedItems();
  const items = dumpVariants(recorded);
  const broken = [...malformedLines(items), overLongLine(items[0] as RecordedItem, 70_000)];
  const dump = buildDump(items, { extra: broken, every: 29 });
  const path = writeDump(tmp.dir, 'RC_test.jsonl', dump.text);

  function source(overrides: Partial<ReplaySourceOptions> = {}): ReplaySource {
    return createReplaySource({
      path,
      streamId: STREAM,
      clock: new ManualClock(NOW),
      maxLineBytes: 64 * 1024,
      ...overrides,
    });
  }

  function expectMatches(
    events: readonly RedditEvent[],
    built: BuiltDump,
    keep = (_: RecordedItem) => true,
  ) {
    const wanted = expectedEvents(built).filter(({ item }) => keep(item));
    expect(events.map((event) => event.fullname)).toEqual(
      wanted.map(({ item }) => `${item.kind}_${String(item.data.id)}`),
    );
    events.forEach((event, index) => {
      const expected = wanted[index];
      if (!expected) throw new Error('more events than expected');
      expect(event).toMatchObject({
        ...fieldsOf(expected.item),
        schemaVersion: 1,
        streamId: STREAM,
        ingestedUtc: NOW / 1000,
      });
    });
  }

  it('replays every recorded item exactly once, in file order, with the recorded fields', async () => {
    const { events } = await drain(source());
    expect(events.length).toBeGreaterThan(400);
    expectMatches(events, dump);
    expect(new Set(events.map((event) => event.fullname)).size).toBe(events.length);
    // The variations real dumps have really occur in this file.
    expect(events.some((event) => event.author === null)).toBe(true);
    expect(events.some((event) => event.kind === 'submission')).toBe(true);
    expect(events.some((event) => event.kind === 'comment')).toBe(true);
    expect(events.some((event) => event.subreddit === 'testsub')).toBe(true);
  });

  it('turns each malformed line into a reject naming its line, the file and the reason', async () => {
    const { rejects } = await drain(source());
    const wanted = expectedRejects(dump);
    expect(wanted).toHaveLength(broken.length);
    expect(rejects.map(lineOf)).toEqual(wanted.map((reject) => reject.line));
    rejects.forEach((reject, index) => {
      expect(reject.position).toBe(`line ${wanted[index]?.line} of RC_test.jsonl`);
      expect(reject.reason).toMatch(wanted[index]?.reason ?? /never/);
      expect(reject.raw.length).toBeGreaterThan(0);
      expect(reject.raw.length).toBeLessThanOrEqual(4096);
    });
    const overLong = rejects.find((reject) => /longer than/.test(reject.reason));
    expect(overLong?.reason).toMatch(/limit of 65536 bytes \(\d+ bytes\)/);
    expect(overLong?.raw.startsWith('{"')).toBe(true);
  });

  it('counts what it did in status()', async () => {
    const replay = source();
    expect(replay.status()).toEqual({
      lastPollAtMs: null,
      lastError: null,
      progress: { file: 'RC_test.jsonl', line: 0, matched: 0, skipped: 0, malformed: 0 },
    });
    await drain(replay);
    const lastLine = dump.lines.length;
    expect(replay.status()).toEqual({
      lastPollAtMs: NOW,
      lastError: null,
      progress: {
        file: 'RC_test.jsonl',
        line: lastLine,
        matched: items.length,
        skipped: 0,
        malformed: broken.length,
      },
    });
    expect(replay.checkpoint()).toEqual({ line: lastLine });
    expect(replay.selfPaced).toBe(true);
  });

  it('gives the same results with tiny read chunks and with CRLF line ends', async () => {
    const crlf = buildDump(items, { extra: broken, every: 29, crlf: true, finalNewline: false });
    const crlfPath = writeDump(tmp.dir, 'RC_test_crlf.jsonl', crlf.text);
    const reference = await drain(source());
    const tiny = await drain(source({ highWaterMark: 13 }));
    const windows = await drain(source({ path: crlfPath, highWaterMark: 101 }));
    expect(tiny.events).toEqual(reference.events);
    expect(tiny.rejects).toEqual(reference.rejects);
    expect(windows.events).toEqual(reference.events);
    expect(windows.rejects.map((reject) => [reject.position, reject.reason])).toEqual(
      reference.rejects.map((reject) => [
        reject.position.replace('.jsonl', '_crlf.jsonl'),
        reject.reason,
      ]),
    );
  }, 30_000); // 1-byte read chunks are slow by design; on a busy CI machine this exceeded 5 s

  describe('filters', () => {
    it('keeps only the given subreddits, case-insensitively', async () => {
      const wantedNames = ['askreddit', 'testsub'];
      const replay = source({ subreddits: ['AskReddit', 'r/TESTSUB'] });
      const { events, rejects } = await drain(replay);
      const keep = (item: RecordedItem) =>
        wantedNames.includes(String(item.data.subreddit).toLowerCase());
      expectMatches(events, dump, keep);
      expect(events.length).toBeGreaterThan(100);
      // Lines naming another subreddit are skipped silently, broken ones included;
      // lines that name none (not JSON, not an object, too long) are still rejected.
      const rejectedLines = expectedRejects(dump)
        .map(({ line }) => ({ line, text: dump.lines[line - 1]?.text ?? '' }))
        .filter(({ text }) => {
          if (text.length > 64 * 1024) return true;
          try {
            const value = JSON.parse(text) as { subreddit?: unknown } | null;
            const name = typeof value === 'object' && value !== null ? value.subreddit : undefined;
            return typeof name !== 'string' || wantedNames.includes(name.toLowerCase());
          } catch {
            return true;
          }
        })
        .map(({ line }) => line);
      expect(rejects.map(lineOf)).toEqual(rejectedLines);
      expect(replay.status().progress).toMatchObject({
        matched: events.length,
        skipped: items.filter((item) => !keep(item)).length + broken.length - rejectedLines.length,
        malformed: rejectedLines.length,
      });
    });

    it('keeps only the given kinds', async () => {
      const submissions = await drain(source({ kinds: ['submission'] }));
      expectMatches(submissions.events, dump, (item) => item.kind === 't3');
      const comments = await drain(source({ kinds: ['comment'] }));
      expectMatches(comments.events, dump, (item) => item.kind === 't1');
      const both = await drain(source({ kinds: [] }));
      expectMatches(both.events, dump);
    });

    it('keeps created_utc in [fromUtc, toUtc)', async () => {
      const times = items
        .map((item) => Math.floor(Number(item.data.created_utc)))
        .sort((a, b) => a - b);
      const fromUtc = times[Math.floor(times.length / 4)] as number;
      const toUtc = times[Math.floor((times.length * 3) / 4)] as number;
      const { events } = await drain(source({ fromUtc, toUtc }));
      expectMatches(events, dump, (item) => {
        const created = Math.floor(Number(item.data.created_utc));
        return created >= fromUtc && created < toUtc;
      });
      expect(events.some((event) => event.createdUtc === fromUtc)).toBe(true);
      expect(events.some((event) => event.createdUtc === toUtc)).toBe(false);
    });
  });

  describe('checkpoint and resume', () => {
    it('starts at line startLine − 1', () => {
      expect(source().checkpoint()).toEqual({ line: 0 });
      expect(source({ startLine: 40 }).checkpoint()).toEqual({ line: 39 });
    });

    it('resumed after any pull, gives exactly the remainder: no gap, no duplicate', async () => {
      const full = await drain(source());
      for (const stopAfterPulls of [1, 2, 5, 9, 14]) {
        const first = source();
        const signal = new AbortController().signal;
        const events: RedditEvent[] = [];
        const rejects: IngestReject[] = [];
        for (let i = 0; i < stopAfterPulls; i++) {
          const batch = await first.pull(37, signal);
          events.push(...batch.events);
          rejects.push(...batch.rejects);
        }
        const saved: unknown = JSON.parse(JSON.stringify(first.checkpoint()));
        await first.close();
        const second = source({ startLine: startLineAfter(saved) });
        const rest = await drain(second, 37);
        expect([...events, ...rest.events]).toEqual(full.events);
        expect([...rejects, ...rest.rejects]).toEqual(full.rejects);
      }
    });

    it('reflects only what pulls returned, not what was read ahead', async () => {
      const replay = source();
      const signal = new AbortController().signal;
      const batch = await replay.pull(3, signal);
      expect(batch.events).toHaveLength(3);
      // The first three lines are items: the checkpoint is line 3, not the end of a read chunk.
      expect(replay.checkpoint()).toEqual({ line: 3 });
    });

    it('rejects a checkpoint that is not one of its own', () => {
      expect(startLineAfter({ line: 0 })).toBe(1);
      expect(startLineAfter({ line: 41 })).toBe(42);
      for (const bad of [null, 3, { line: -1 }, { line: 1.5 }, { line: '3' }, {}]) {
        expect(() => startLineAfter(bad)).toThrow(AppError);
      }
    });
  });

  describe('pacing', () => {
    const T0 = 1_700_000_000;
    // Gaps of 10, 0, 30, then one 10 s backwards, then 70: as dumps are, nearly sorted.
    const offsets = [0, 10, 10, 40, 30, 100];
    const pacedPath = writeDump(
      tmp.dir,
      'paced.jsonl',
      offsets
        .map((offset, i) =>
          JSON.stringify({
            id: `p${i}`,
            subreddit: 'pics',
            author: 'a',
            title: 't',
            selftext: '',
            created_utc: T0 + offset,
          }),
        )
        .join('\n'),
    );

    function paced(speed: ReplaySourceOptions['speed']) {
      const clock = new ManualClock(NOW);
      const sleeps: number[] = [];
      const replay = createReplaySource({
        path: pacedPath,
        streamId: STREAM,
        clock,
        speed,
        sleep: (ms) => {
          sleeps.push(ms);
          clock.advance(ms);
          return Promise.resolve();
        },
      });
      return { clock, sleeps, replay };
    }

    it.each([
      [10, [1000, 3000, 6000]],
      ['realtime' as const, [10_000, 30_000, 60_000]],
      [0.5, [20_000, 60_000, 120_000]],
      ['max' as const, []],
    ])('at speed %p sleeps %p, never for an item older than the last', async (speed, expected) => {
      const { sleeps, replay, clock } = paced(speed);
      const { events } = await drain(replay, 100);
      expect(events.map((event) => event.id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
      expect(sleeps).toEqual(expected);
      // Each event is stamped with the time it went out.
      expect(events.at(-1)?.ingestedUtc).toBe(clock.now() / 1000);
    });

    it('returns what is due and keeps the next item for the following pull', async () => {
      const { sleeps, replay } = paced(10);
      const signal = new AbortController().signal;
      const batches: string[][] = [];
      while (!replay.exhausted) {
        batches.push((await replay.pull(100, signal)).events.map((event) => event.id));
      }
      expect(batches).toEqual([['p0'], ['p1', 'p2'], ['p3', 'p4'], ['p5']]);
      expect(sleeps).toEqual([1000, 3000, 6000]);
    });

    it('catches up without sleeping when the consumer fell behind', async () => {
      const { sleeps, replay, clock } = paced(10);
      const signal = new AbortController().signal;
      await replay.pull(1, signal); // p0: the anchor
      clock.advance(5000); // p1..p4 are now overdue
      const batch = await replay.pull(100, signal);
      expect(batch.events.map((event) => event.id)).toEqual(['p1', 'p2', 'p3', 'p4']);
      expect(sleeps).toEqual([]);
    });

    it('stops waiting when the signal aborts, keeping the item for the next pull', async () => {
      const clock = new ManualClock(NOW);
      const controller = new AbortController();
      const replay = createReplaySource({
        path: pacedPath,
        streamId: STREAM,
        clock,
        speed: 'realtime',
        sleep: () => {
          controller.abort();
          return Promise.resolve();
        },
      });
      expect((await replay.pull(100, controller.signal)).events.map((e) => e.id)).toEqual(['p0']);
      expect((await replay.pull(100, controller.signal)).events).toEqual([]);
      expect(replay.checkpoint()).toEqual({ line: 1 });
      expect(replay.exhausted).toBe(false);
      clock.advance(10_000);
      const batch = await replay.pull(100, new AbortController().signal);
      expect(batch.events.map((event) => event.id)).toEqual(['p1', 'p2']);
      expect(replay.checkpoint()).toEqual({ line: 3 });
    });

    it('with the real sleep, an abort ends a long wait promptly', async () => {
      const replay = createReplaySource({
        path: pacedPath,
        streamId: STREAM,
        clock: new ManualClock(NOW),
        speed: 'realtime',
      });
      const controller = new AbortController();
      await replay.pull(1, controller.signal);
      const started = Date.now();
      setTimeout(() => controller.abort(), 20);
      const batch = await replay.pull(100, controller.signal); // p1 is due in 10 s
      expect(batch.events).toEqual([]);
      expect(Date.now() - started).toBeLessThan(2000);
      await replay.close();
    });
  });

  it('close() ends a pull that waits on the pacing', async () => {
    const T0 = 1_700_000_000;
    const slow = writeDump(
      tmp.dir,
      'slow.jsonl',
      [T0, T0 + 3600]
        .map((created, i) =>
          JSON.stringify({ id: `s${i}`, subreddit: 'pics', title: 't', created_utc: created }),
        )
        .join('\n'),
    );
    const replay = source({ path: slow, speed: 'realtime' });
    const signal = new AbortController().signal;
    expect((await replay.pull(10, signal)).events).toHaveLength(1);
    const waiting = replay.pull(10, signal); // the next item is an hour away
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await replay.close();
    await expect(waiting).resolves.toEqual({ events: [], rejects: [] });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(replay.checkpoint()).toEqual({ line: 1 });
  });

  it('returns an empty batch after scanning maxLinesPerPull lines with nothing to show', async () => {
    const clean = writeDump(tmp.dir, 'clean.jsonl', buildDump(items).text);
    const replay = source({ path: clean, subreddits: ['nosuchsub'], maxLinesPerPull: 100 });
    const signal = new AbortController().signal;
    const first = await replay.pull(10, signal);
    expect(first).toEqual({ events: [], rejects: [] });
    expect(replay.checkpoint().line).toBeGreaterThanOrEqual(100);
    expect(replay.exhausted).toBe(false);
    const { events } = await drain(replay);
    expect(events).toEqual([]);
  });

  it('caps the rejects of one pull at max, too', async () => {
    const garbage = writeDump(tmp.dir, 'garbage.jsonl', 'nope\n'.repeat(25));
    const replay = source({ path: garbage });
    const signal = new AbortController().signal;
    expect((await replay.pull(10, signal)).rejects).toHaveLength(10);
    expect(replay.checkpoint()).toEqual({ line: 10 });
    const rest = await drain(replay, 10);
    expect(rest.rejects.map(lineOf)).toEqual(Array.from({ length: 15 }, (_, i) => i + 11));
  });

  it('returns nothing after close(), and counts as exhausted', async () => {
    const replay = source();
    await replay.pull(5, new AbortController().signal);
    await replay.close();
    expect(replay.exhausted).toBe(true);
    expect(await replay.pull(5, new AbortController().signal)).toEqual({ events: [], rejects: [] });
    await replay.close();
  });

  it('hands out what it read before a read error, then fails with it', async () => {
    class FailingDecompressor extends DumpDecompressor {
      open(): Readable {
        const lines = items.slice(0, 4).map((item) => `${JSON.stringify(item.data)}\n`);
        let sent = 0;
        return new Readable({
          read() {
            if (sent < lines.length) this.push(Buffer.from(lines[sent++] as string));
            else this.destroy(new Error('zstd could not decompress the dump: premature end'));
          },
        });
      }
      ensureAvailable(): Promise<void> {
        return Promise.resolve();
      }
    }
    const zstPath = writeDump(tmp.dir, 'broken.zst', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1]));
    const replay = source({ path: zstPath, decompressor: new FailingDecompressor() });
    const signal = new AbortController().signal;
    const batch = await replay.pull(100, signal);
    expect(batch.events).toHaveLength(4);
    expect(replay.checkpoint()).toEqual({ line: 4 });
    await expect(replay.pull(100, signal)).rejects.toThrow(/premature end/);
    expect(replay.status().lastError).toMatch(/reading broken.zst failed: .*premature end/);
    await expect(replay.pull(100, signal)).rejects.toThrow(/premature end/);
    await replay.close();
  });

  it('fails the pull when the file has gone', async () => {
    const replay = source({ path: `${tmp.dir}/gone.jsonl` });
    await expect(replay.pull(10, new AbortController().signal)).rejects.toThrow(/ENOENT/);
    expect(replay.status().lastError).toMatch(/gone.jsonl/);
  });

  it('refuses pulls that overlap', async () => {
    const replay = source();
    const signal = new AbortController().signal;
    const first = replay.pull(10, signal);
    await expect(replay.pull(10, signal)).rejects.toThrow(/another pull/);
    await first;
    await replay.close();
  });

  it.each<[Partial<ReplaySourceOptions>, RegExp]>([
    [{ speed: 0 }, /speed/],
    [{ speed: -2 }, /speed/],
    [{ startLine: 0 }, /startLine/],
    [{ startLine: 1.5 }, /startLine/],
    [{ fromUtc: 200, toUtc: 100 }, /fromUtc must be before toUtc/],
    [{ fromUtc: Number.NaN }, /fromUtc/],
    [{ kinds: ['post' as never] }, /unknown kind/],
  ])('rejects bad options %p', (overrides, message) => {
    let thrown: unknown;
    try {
      source(overrides);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe('INVALID_INPUT');
    expect((thrown as AppError).message).toMatch(message);
  });
});

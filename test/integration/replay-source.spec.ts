import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '@app/common/app-error';
import { ManualClock } from '@app/common/clock';
import { type RedditEvent } from '@app/events/reddit-event';
import {
  type DecompressedStream,
  DumpDecompressor,
  type DecompressOptions,
  ZstdCliDecompressor,
} from '@app/ingest/sources/replay/dump-decompressor';
import { inspectDump } from '@app/ingest/sources/replay/dump-files';
import { DumpReader } from '@app/ingest/sources/replay/dump-reader';
import {
  createReplaySource,
  type ReplaySource,
  type ReplaySourceOptions,
  startLineAfter,
} from '@app/ingest/sources/replay/replay.source';
import { type IngestReject } from '@app/ingest/sources/stream-source';
import {
  buildDump,
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
  zstdCompress,
} from '../support/replay-dumps';

/**
 * The replay source on real files: dumps written from recorded Reddit API
 * items, compressed by the real zstd CLI and decompressed through it. Needs no
 * Kafka; needs the `zstd` command (scripts/prerequisites.sh installs it).
 */

const NOW = Date.UTC(2025, 5, 1, 12);
const STREAM = 'replay-it';

/** The real CLI adapter, remembering the processes it started. */
class RecordingZstd extends DumpDecompressor {
  readonly opened: DecompressedStream[] = [];
  private readonly real = new ZstdCliDecompressor();
  open(path: string, options?: DecompressOptions): DecompressedStream {
    const stream = this.real.open(path, options);
    this.opened.push(stream);
    return stream;
  }
  ensureAvailable(): Promise<void> {
    return this.real.ensureAvailable();
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function drain(source: ReplaySource, max = 100) {
  const events: RedditEvent[] = [];
  const rejects: IngestReject[] = [];
  const signal = new AbortController().signal;
  for (let pulls = 0; !source.exhausted; pulls++) {
    if (pulls > 10_000) throw new Error('the source never became exhausted');
    const batch = await source.pull(max, signal);
    events.push(...batch.events);
    rejects.push(...batch.rejects);
  }
  return { events, rejects };
}

describe('ReplaySource on plain and Zstandard dump files', () => {
  const tmp = tempDir('replay-it');
  afterAll(() => tmp.cleanup());

  const items = dumpVariants(loadRecordedItems());
  const broken = [
    ...malformedLines(items),
    overLongLine(items.find((item) => item.kind === 't1') as RecordedItem, 1_100_000),
  ];
  const dump = buildDump(items, { extra: broken, every: 23 });
  const plain = writeDump(tmp.dir, 'RC_cassettes.jsonl', dump.text);
  const compressed = zstdCompress(plain, join(tmp.dir, 'RC_cassettes.zst'));
  // Named like a plain file: compression must be told by the magic number.
  const misnamed = join(tmp.dir, 'RC_cassettes.ndjson');
  copyFileSync(compressed, misnamed);

  function source(overrides: Partial<ReplaySourceOptions> = {}): ReplaySource {
    return createReplaySource({
      path: compressed,
      streamId: STREAM,
      clock: new ManualClock(NOW),
      ...overrides,
    });
  }

  function withoutFile(rejects: readonly IngestReject[]) {
    return rejects.map((reject) => ({
      ...reject,
      position: reject.position.replace(/ of .*$/, ''),
    }));
  }

  it('inspectDump tells a compressed dump by its content, and its size', async () => {
    await expect(inspectDump(plain)).resolves.toEqual({
      path: plain,
      fileName: 'RC_cassettes.jsonl',
      compressed: false,
      sizeBytes: Buffer.byteLength(dump.text),
    });
    for (const path of [compressed, misnamed]) {
      const info = await inspectDump(path);
      expect(info).toMatchObject({ compressed: true, sizeBytes: statSync(path).size });
      expect(info.sizeBytes).toBeLessThan(Buffer.byteLength(dump.text) / 3);
    }
  });

  it('replays every recorded item once from the .zst, with the recorded fields', async () => {
    const { events } = await drain(source());
    const wanted = expectedEvents(dump);
    expect(events).toHaveLength(items.length);
    expect(events.map((event) => event.fullname)).toEqual(
      wanted.map(({ item }) => `${item.kind}_${String(item.data.id)}`),
    );
    events.forEach((event, index) => {
      const item = wanted[index]?.item as RecordedItem;
      expect(event).toMatchObject({ ...fieldsOf(item), streamId: STREAM, ingestedUtc: NOW / 1000 });
      expect(event.createdUtc).toBe(Math.floor(Number(item.data.created_utc)));
    });
  });

  it('rejects each malformed line of the .zst with its line number and reason', async () => {
    const { rejects } = await drain(source());
    const wanted = expectedRejects(dump);
    expect(rejects.map((reject) => reject.position)).toEqual(
      wanted.map(({ line }) => `line ${line} of RC_cassettes.zst`),
    );
    rejects.forEach((reject, index) =>
      expect(reject.reason).toMatch(wanted[index]?.reason ?? /x^/),
    );
    const overLong = rejects.at(-1);
    expect(overLong?.reason).toMatch(/longer than the limit of 1048576 bytes/);
    expect(overLong?.raw.length).toBeLessThanOrEqual(4096);
  });

  it('gives identical results for the plain file, the .zst and the misnamed .zst', async () => {
    const fromPlain = await drain(source({ path: plain }));
    const fromZst = await drain(source({ highWaterMark: 4096 }));
    const fromMisnamed = await drain(source({ path: misnamed }));
    expect(fromZst.events).toEqual(fromPlain.events);
    expect(fromMisnamed.events).toEqual(fromPlain.events);
    expect(withoutFile(fromZst.rejects)).toEqual(withoutFile(fromPlain.rejects));
    expect(withoutFile(fromMisnamed.rejects)).toEqual(withoutFile(fromPlain.rejects));
  });

  it('filters a .zst by subreddit, kind and time', async () => {
    const times = items
      .map((item) => Math.floor(Number(item.data.created_utc)))
      .sort((a, b) => a - b);
    const fromUtc = times[100] as number;
    const toUtc = times[500] as number;
    const { events } = await drain(
      source({ subreddits: ['TestSub', 'askreddit'], kinds: ['comment'], fromUtc, toUtc }),
    );
    const wanted = items.filter((item) => {
      const created = Math.floor(Number(item.data.created_utc));
      return (
        ['testsub', 'askreddit'].includes(String(item.data.subreddit).toLowerCase()) &&
        item.kind === 't1' &&
        created >= fromUtc &&
        created < toUtc
      );
    });
    expect(wanted.length).toBeGreaterThan(20);
    expect(events.map((event) => event.fullname)).toEqual(
      wanted.map((item) => `t1_${String(item.data.id)}`),
    );
  });

  it('resumes a .zst from its checkpoint with exactly the remainder', async () => {
    const full = await drain(source());
    const first = source();
    const signal = new AbortController().signal;
    const head: RedditEvent[] = [];
    const headRejects: IngestReject[] = [];
    for (let i = 0; i < 4; i++) {
      const batch = await first.pull(61, signal);
      head.push(...batch.events);
      headRejects.push(...batch.rejects);
    }
    const saved: unknown = JSON.parse(JSON.stringify(first.checkpoint()));
    await first.close();
    const rest = await drain(source({ startLine: startLineAfter(saved) }), 61);
    expect([...head, ...rest.events]).toEqual(full.events);
    expect([...headRejects, ...rest.rejects]).toEqual(full.rejects);
  });

  it('paces a .zst at real time × N on the injected clock', async () => {
    const clock = new ManualClock(NOW);
    const sleeps: number[] = [];
    const speed = 50_000;
    const replay = createReplaySource({
      path: compressed,
      streamId: STREAM,
      clock,
      speed,
      subreddits: ['testsub'],
      sleep: (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
        return Promise.resolve();
      },
    });
    const { events } = await drain(replay, 25);
    expect(events.length).toBeGreaterThanOrEqual(100);
    const first = events[0] as RedditEvent;
    let newest = first.createdUtc;
    let slept = 0;
    for (const event of events) {
      // Each item goes out no earlier than its place on the dump's timeline / speed …
      const dueMs = ((event.createdUtc - first.createdUtc) * 1000) / speed;
      const sentMs = event.ingestedUtc * 1000 - NOW;
      expect(sentMs).toBeGreaterThanOrEqual(dueMs);
      // … and, when it is the newest so far, no later either (within a rounding ms).
      if (event.createdUtc >= newest) expect(sentMs - dueMs).toBeLessThan(1);
      if (event.createdUtc > newest) slept++;
      newest = Math.max(newest, event.createdUtc);
    }
    expect(sleeps.length).toBeGreaterThan(0);
    expect(sleeps.length).toBeLessThanOrEqual(slept);
    expect(sleeps.every((ms) => ms > 0)).toBe(true);
  });

  it('stops zstd when closed mid-file, and holds it back while nobody reads', async () => {
    // ~40 MB decompressed: far more than the pipe and the read-ahead hold.
    const line = dump.lines
      .filter((spec) => spec.expect.kind === 'event')
      .map((spec) => spec.text)
      .join('\n');
    const bigPlain = join(tmp.dir, 'RC_big.jsonl');
    writeFileSync(bigPlain, Array.from({ length: 30 }, () => line).join('\n'));
    const big = zstdCompress(bigPlain, join(tmp.dir, 'RC_big.zst'), ['-1']);

    const zstd = new RecordingZstd();
    const reader = await DumpReader.open(big, { decompressor: zstd });
    for (let i = 1; i <= 10; i++) expect(await reader.next()).toMatchObject({ lineNumber: i });
    const pid = zstd.opened[0]?.pid as number;
    expect(pid).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(isRunning(pid)).toBe(true); // blocked on its full pipe, not done

    await reader.close();
    expect(isRunning(pid)).toBe(false);
    expect(await reader.next()).toBeNull();
  });

  it('closing the source stops its zstd process too', async () => {
    const zstd = new RecordingZstd();
    const replay = source({ decompressor: zstd });
    await replay.pull(5, new AbortController().signal);
    const pid = zstd.opened[0]?.pid as number;
    await replay.close();
    expect(isRunning(pid)).toBe(false);
  });

  it('fails with zstd’s own message on a truncated .zst, after the lines it could read', async () => {
    const whole = readFileSync(compressed);
    const truncated = writeDump(
      tmp.dir,
      'RC_truncated.zst',
      whole.subarray(0, Math.floor(whole.length / 2)),
    );
    const replay = source({ path: truncated });
    const signal = new AbortController().signal;
    const events: RedditEvent[] = [];
    let failure: unknown = null;
    try {
      while (!replay.exhausted) events.push(...(await replay.pull(50, signal)).events);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/zstd could not decompress the dump/);
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(items.length);
    expect(replay.status().lastError).toMatch(/RC_truncated\.zst/);
    await replay.close();
  });

  it('says to install the zstd package when the command is missing', async () => {
    const missing = new ZstdCliDecompressor('zstd-missing-for-this-test');
    await expect(inspectDump(compressed, { decompressor: missing })).rejects.toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
      message: expect.stringMatching(/install the Debian package "zstd"/),
    });
    const replay = source({ decompressor: missing });
    const failure: unknown = await replay
      .pull(10, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).message).toMatch(/package "zstd"/);
    await replay.close();
  });
});

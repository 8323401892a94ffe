import { type INestApplication } from '@nestjs/common';
import { Client as CassandraClient } from 'cassandra-driver';
import { Client as PgClient } from 'pg';
import { type RedditEvent } from '@app/events/reddit-event';
import { normaliseRedditItem } from '@app/ingest/domain/reddit-normaliser';
import { SyntheticRedditGenerator } from '@app/ingest/sources/synthetic/synthetic-generator';
import { EventSink } from '@app/kafka/ports';
import { dropNamespace } from '../support/cleanup';
import { eventually, STACK, testNamespace, type TestNamespace } from '../support/environment';
import { type HttpTestApp, startHttpApp } from '../support/http-app';
import {
  awaitWindowsEqual,
  expectedWindows,
  parseWindowSpecs,
  readCassandraWindows,
  readWarehouseWindows,
  scoredOnce,
  serverSentimentOf,
  type StoredWindowRow,
  windowKey,
  type WindowRow,
} from '../support/offline-windows';
import {
  buildDump,
  loadRecordedItems,
  type RecordedItem,
  retimed,
  tempDir,
  writeDump,
} from '../support/replay-dumps';
import { ServerProcess } from '../support/server-process';
import { serverSentimentScorer } from '../support/sentiment-scorer';

jest.setTimeout(240_000);

const WINDOW_SPECS = '1m,5m/1m';
const specs = parseWindowSpecs(WINDOW_SPECS);
const sentimentOf = scoredOnce(serverSentimentOf(serverSentimentScorer()));

/**
 * Real recorded items re-timed into one stretch of history, `copies` times
 * over with new ids, one item every `spacingS` seconds from `startUtc`, oldest
 * first as in a dump.
 */
function toEvents(
  items: readonly RecordedItem[],
  streamId: string,
  source: 'replay' | 'reddit' = 'replay',
): RedditEvent[] {
  return items.flatMap((item) => {
    const parsed = normaliseRedditItem(item.kind, item.data, {
      source,
      streamId,
      ingestedUtc: Date.now() / 1000,
    });
    return parsed.ok ? [parsed.value] : [];
  });
}

/** The stored Cassandra rows of the windows `expected` names (other tests' rows left out). */
async function storedAmong(
  cassandra: CassandraClient,
  keyspace: string,
  expected: readonly WindowRow[],
): Promise<StoredWindowRow[]> {
  const keys = new Set(expected.map((w) => windowKey(w)));
  return (await readCassandraWindows(cassandra, keyspace)).filter((w) => keys.has(windowKey(w)));
}

interface Consumed {
  applied: number;
  lateApplied: number;
  tooLate: number;
  duplicates: number;
  deadLettered: number;
}

interface LaneApp {
  readonly folder: ReturnType<typeof tempDir>;
  ns: TestNamespace;
  app: INestApplication;
  http: HttpTestApp['http'];
  post: HttpTestApp['post'];
  cassandra: CassandraClient;
  pg: PgClient;
}

/**
 * An app on the real stack in a namespace of its own (replays read from a
 * temporary folder), with clients for both stores, for the tests of one
 * describe block; `prepare` runs before the app starts.
 */
function useLaneApp(name: string, prepare: (dir: string) => void = () => undefined): LaneApp {
  const lane = { folder: tempDir(name) } as LaneApp;
  beforeAll(async () => {
    prepare(lane.folder.dir);
    lane.ns = testNamespace({ REPLAY_DIR: lane.folder.dir, WINDOW_SPECS });
    ({ app: lane.app, http: lane.http, post: lane.post } = await startHttpApp(lane.ns));
    lane.cassandra = new CassandraClient({
      contactPoints: [STACK.cassandra],
      localDataCenter: lane.ns.config.cassandra.localDataCenter,
    });
    lane.pg = new PgClient({ connectionString: STACK.warehouseUrl });
    await lane.pg.connect();
  });
  afterAll(async () => {
    await lane.app?.close();
    await lane.cassandra?.shutdown();
    await lane.pg?.end();
    await dropNamespace(lane.ns.config);
    lane.folder.cleanup();
  });
  return lane;
}

/**
 * History next to live data on the real stack: recorded Reddit items from
 * 2014 to 2026 replayed at full speed while a live stream runs on the same
 * subreddits (so on the same partitions). The replay is judged by its own
 * lane's progress, so every replayed item lands in its window; the stored
 * rows equal the windows computed offline over both inputs, in Cassandra and
 * in the warehouse.
 */
describe('backfill lanes: a replay of old dumps next to a live stream', () => {
  const lane = useLaneApp('lanes', (dir) =>
    writeDump(dir, 'history.jsonl', buildDump(loadRecordedItems(), { every: 1e9 }).text),
  );
  it('counts every replayed item in its window and leaves the live windows as they were', async () => {
    const history = toEvents(loadRecordedItems(), 'history');
    const subreddits = [...new Set(history.map((e) => e.subreddit))];
    // A live stream on the same subreddits, at the present: it moves every
    // partition's live watermark far past all of the history.
    const live = new SyntheticRedditGenerator({
      seed: 21,
      subreddits: subreddits.slice(0, 40),
      kinds: ['submission', 'comment'],
      startTimeMs: Date.now() - 60_000,
      eventIntervalMs: 100,
      streamId: 'live',
    })
      .take(600)
      .map((item) => ({ ...item, ingestedUtc: Date.now() / 1000 }));
    await lane.app.get(EventSink).publish(live);
    const liveOnly = expectedWindows(live, specs, { sentimentOf });
    await awaitWindowsEqual(
      () => readCassandraWindows(lane.cassandra, lane.ns.config.cassandra.keyspace),
      liveOnly,
      {
        what: 'the live windows',
        digits: 6,
      },
    );

    await lane
      .post('/api/streams')
      .send({ id: 'history', source: 'replay', replay: { file: 'history.jsonl', speed: 'max' } })
      .expect(201);
    const expected = expectedWindows([...live, ...history], specs, { sentimentOf });
    await awaitWindowsEqual(
      () => readCassandraWindows(lane.cassandra, lane.ns.config.cassandra.keyspace),
      expected,
      { what: 'live and history windows in Cassandra', digits: 6 },
    );
    await awaitWindowsEqual(
      () => readWarehouseWindows(lane.pg, lane.ns.config.warehouse.schema),
      expected,
      {
        what: 'live and history windows in the warehouse',
        digits: 6,
      },
    );

    // The replay has ended: its lane closes, and its windows are final without more data.
    const historyOnly = expectedWindows(history, specs, { sentimentOf });
    await eventually(
      () => storedAmong(lane.cassandra, lane.ns.config.cassandra.keyspace, historyOnly),
      (rows) => rows.length === historyOnly.length && rows.every((w) => w.isFinal === true),
      { what: 'every history window final' },
    );

    const consumed = await eventually(
      async () =>
        (
          (await lane.http.get('/api/streams/history').expect(200)).body as {
            consumed: Consumed | null;
          }
        ).consumed,
      (c) => (c?.applied ?? 0) + (c?.tooLate ?? 0) + (c?.duplicates ?? 0) >= history.length,
      { what: 'the replay fully accounted for' },
    );
    expect(consumed).toMatchObject({
      applied: new Set(history.map((e) => e.fullname)).size,
      tooLate: 0,
      deadLettered: 0,
    });
  });

  it('runs two backfills of different months at once: each event in its window, once', async () => {
    const january = retimed(Date.UTC(2024, 0, 10) / 1000, 3, 2, 'jan');
    const march = retimed(Date.UTC(2024, 2, 10) / 1000, 3, 2, 'mar');
    writeDump(lane.folder.dir, 'january.jsonl', buildDump(january, { every: 1e9 }).text);
    writeDump(lane.folder.dir, 'march.jsonl', buildDump(march, { every: 1e9 }).text);
    const before = await readCassandraWindows(lane.cassandra, lane.ns.config.cassandra.keyspace);
    await Promise.all([
      lane
        .post('/api/streams')
        .send({ id: 'january', source: 'replay', replay: { file: 'january.jsonl' } })
        .expect(201),
      lane
        .post('/api/streams')
        .send({ id: 'march', source: 'replay', replay: { file: 'march.jsonl' } })
        .expect(201),
    ]);
    const events = [...toEvents(january, 'january'), ...toEvents(march, 'march')];
    const expected = expectedWindows(events, specs, { sentimentOf });
    const keys = new Set(expected.map((w) => windowKey(w)));
    // Only 2024's windows: the first test's live and history rows stay as they are.
    await awaitWindowsEqual(
      () => storedAmong(lane.cassandra, lane.ns.config.cassandra.keyspace, expected),
      expected,
      { what: 'two backfills of 2024 in Cassandra', digits: 6 },
    );
    const after = await readCassandraWindows(lane.cassandra, lane.ns.config.cassandra.keyspace);
    expect(after.filter((w) => !keys.has(windowKey(w)))).toEqual(before);
    for (const id of ['january', 'march']) {
      const consumed = await eventually(
        async () =>
          (
            (await lane.http.get(`/api/streams/${id}`).expect(200)).body as {
              consumed: Consumed | null;
            }
          ).consumed,
        (c) => (c?.applied ?? 0) === january.length,
        { what: `${id} fully applied` },
      );
      expect(consumed).toMatchObject({ tooLate: 0, duplicates: 0, deadLettered: 0 });
    }
  });
});

/**
 * The usual start of a new user: follow a subreddit live, then backfill its
 * last minutes from a dump. The backfill reaches windows the live stream has
 * already closed (reopened from the archive of closed windows) and windows it
 * still holds, and carries many of the same items: every window ends up
 * equal to the offline truth over both inputs, each item once, and the live
 * stream goes on after the backfill has ended.
 */
describe('backfill lanes: a backfill reaching the present next to the live stream', () => {
  const lane = useLaneApp('lanes-present');
  it('counts each item once where live and history meet, and the live stream goes on', async () => {
    // The recorded items re-timed into the last nine minutes, one a second,
    // the newest a few seconds old.
    const nowS = Math.floor(Date.now() / 1000);
    const items = retimed(nowS - 530, 1, 1, 'now');
    // Live has two thirds of them; the dump has two thirds too, one third in both.
    const liveItems = items.filter((_, i) => i % 3 !== 2);
    const dumpItems = items.filter((_, i) => i % 3 !== 1);
    const live = toEvents(liveItems, 'live', 'reddit');
    await lane.app.get(EventSink).publish(live);
    const liveOnly = expectedWindows(live, specs, { sentimentOf });
    await awaitWindowsEqual(
      () => readCassandraWindows(lane.cassandra, lane.ns.config.cassandra.keyspace),
      liveOnly,
      { what: 'the live windows', digits: 6 },
    );

    writeDump(lane.folder.dir, 'recent.jsonl', buildDump(dumpItems, { every: 1e9 }).text);
    await lane
      .post('/api/streams')
      .send({ id: 'recent', source: 'replay', replay: { file: 'recent.jsonl', speed: 'max' } })
      .expect(201);
    const history = toEvents(dumpItems, 'recent');
    const union = [...live, ...history];
    await awaitWindowsEqual(
      () => readCassandraWindows(lane.cassandra, lane.ns.config.cassandra.keyspace),
      expectedWindows(union, specs, { sentimentOf }),
      { what: 'live and backfill windows in Cassandra', digits: 6 },
    );
    await awaitWindowsEqual(
      () => readWarehouseWindows(lane.pg, lane.ns.config.warehouse.schema),
      expectedWindows(union, specs, { sentimentOf }),
      { what: 'live and backfill windows in the warehouse', digits: 6 },
    );
    const liveNames = new Set(live.map((e) => e.fullname));
    const overlap = history.filter((e) => liveNames.has(e.fullname)).length;
    const consumed = await eventually(
      async () =>
        (
          (await lane.http.get('/api/streams/recent').expect(200)).body as {
            consumed: Consumed | null;
          }
        ).consumed,
      (c) => (c?.applied ?? 0) + (c?.tooLate ?? 0) + (c?.duplicates ?? 0) >= history.length,
      { what: 'the backfill fully accounted for' },
    );
    expect(consumed).toMatchObject({
      applied: history.length - overlap,
      duplicates: overlap,
      tooLate: 0,
      deadLettered: 0,
    });

    // After the backfill has ended, live data goes on: newer items land in their windows.
    const later = toEvents(retimed(nowS - 2, 1, 1, 'later').slice(0, 40), 'live', 'reddit');
    await lane.app.get(EventSink).publish(later);
    await awaitWindowsEqual(
      () => readCassandraWindows(lane.cassandra, lane.ns.config.cassandra.keyspace),
      expectedWindows([...union, ...later], specs, { sentimentOf }),
      { what: 'the live stream after the backfill', digits: 6 },
    );
  });

  it('makes the last windows of a live stream final once it completes', async () => {
    await lane
      .post('/api/streams')
      .send({
        id: 'short-live',
        source: 'synthetic',
        subreddits: ['finalcheck'],
        ratePerSecond: 50,
        maxEvents: 150,
      })
      .expect(201);
    // Its newest event is seconds old: only the end-of-stream marker can
    // move the live lane past the window it falls in.
    const rows = await eventually(
      async () =>
        (await readCassandraWindows(lane.cassandra, lane.ns.config.cassandra.keyspace)).filter(
          (w) => w.subreddit === 'finalcheck',
        ),
      (found) =>
        found
          .filter((w) => w.windowSpec === '1m')
          .reduce((sum, w) => sum + w.submissions + w.comments, 0) === 150 &&
        found.every((w) => w.isFinal === true),
      { what: 'every window of the completed live stream final' },
    );
    expect(rows.length).toBeGreaterThan(0);
    const stream = (await lane.http.get('/api/streams/short-live').expect(200)).body as {
      state: string;
    };
    expect(stream.state).toBe('completed');
  });
});

describe('backfill lanes: kill -9 of the server in the middle of a backfill', () => {
  const folder = tempDir('lanes-kill');

  afterAll(() => folder.cleanup());

  it('stores exactly the offline windows after the restart', async () => {
    // Two years ago, two hours of history replayed 600 times faster than it happened.
    const items = retimed(Math.floor(Date.now() / 1000) - 730 * 86_400, 2, 6, 'k');
    writeDump(folder.dir, 'old.jsonl', buildDump(items, { every: 1e9 }).text);
    const ns = testNamespace({ REPLAY_DIR: folder.dir, WINDOW_SPECS });
    const server = new ServerProcess(ns.env, { name: 'lanes-server' });
    const cassandra = new CassandraClient({
      contactPoints: [STACK.cassandra],
      localDataCenter: ns.config.cassandra.localDataCenter,
    });
    try {
      await server.start();
      const live = new SyntheticRedditGenerator({
        seed: 31,
        subreddits: [...new Set(toEvents(items, 'old').map((e) => e.subreddit))].slice(0, 40),
        kinds: ['submission', 'comment'],
        startTimeMs: Date.now() - 60_000,
        eventIntervalMs: 100,
        streamId: 'live',
      })
        .take(300)
        .map((item) => ({ ...item, ingestedUtc: Date.now() / 1000 }));
      const headers = { 'content-type': 'application/json', 'x-api-key': ns.env.API_KEY ?? '' };
      const start = await fetch(`${server.baseUrl}/api/streams`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          id: 'old',
          source: 'replay',
          replay: { file: 'old.jsonl', speed: '600x' },
        }),
      });
      expect(start.status).toBe(201);
      await fetch(`${server.baseUrl}/api/streams`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          id: 'live',
          source: 'synthetic',
          subreddits: live.map((e) => e.subreddit).slice(0, 1),
          ratePerSecond: 100,
          maxEvents: 100,
        }),
      });
      const counted = async () =>
        (await readCassandraWindows(cassandra, ns.config.cassandra.keyspace))
          .filter((w) => w.windowSpec === '1m')
          .reduce((sum, w) => sum + w.submissions + w.comments, 0);
      await eventually(counted, (n) => n >= items.length * 0.3, {
        what: 'a third of the backfill counted',
        timeoutMs: 120_000,
      });
      const exit = await server.kill9();
      expect(exit.signal).toBe('SIGKILL');
      await server.start();

      const expected = expectedWindows(toEvents(items, 'old'), specs, { sentimentOf });
      await awaitWindowsEqual(
        () => storedAmong(cassandra, ns.config.cassandra.keyspace, expected),
        expected,
        { what: 'the backfill after kill -9 and restart', digits: 6, timeoutMs: 180_000 },
      );
    } finally {
      await server.stopGracefully().catch(() => undefined);
      await cassandra.shutdown();
      await dropNamespace(ns.config);
    }
  });
});

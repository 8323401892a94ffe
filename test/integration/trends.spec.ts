import { Client as CassandraClient } from 'cassandra-driver';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { Client as PgClient } from 'pg';
import { type RedditEvent, subredditKey } from '@app/events/reddit-event';
import { SyntheticRedditGenerator } from '@app/ingest/sources/synthetic/synthetic-generator';
import { NlpService } from '@app/nlp/nlp.service';
import { toEngineInput } from '@app/streaming/mapping';
import { trendOptionsOf } from '@app/streaming/trend-settings';
import {
  AllSubredditsTrends,
  type MinutesReport,
  PartitionTrends,
  type TrendFinding,
} from '@app/trends/domain';
import { dropNamespace } from '../support/cleanup';
import { eventually, testNamespace, type TestNamespace } from '../support/environment';
import { partitionOf } from '../support/disordered-input';
import { readTopic, topicSize } from '../support/kafka-topics';
import { serverSentimentScorer } from '../support/sentiment-scorer';
import { ServerProcess } from '../support/server-process';
import { SseClient } from '../support/sse-client';

jest.setTimeout(300_000);

/**
 * Trends on the real stack, with the real server process: a synthetic stream
 * with a planted burst ("supernova" in r/space from minute 28) must yield the
 * same trend rows in Cassandra, the warehouse and the trends topic as the
 * detector finds offline on the same events, and a kill -9 in the middle of
 * the burst must neither lose a minute of it nor report it a second time as
 * a new rise.
 */

const PARTITIONS = 3;
const OUT_OF_ORDERNESS_MS = 10_000;
const T0 = Date.UTC(2025, 2, 3, 12, 0, 0);
const MINUTE = 60_000;
const MINUTES = 40;
const BURST_FROM = 28;
/** One on each of the three partitions. */
const SUBREDDITS = ['space', 'gardening', 'worldnews'];

/** Background: about 30 comments a minute per subreddit; the burst adds 25 a minute in r/space. */
function input(): RedditEvent[] {
  const background = new SyntheticRedditGenerator({
    seed: 42,
    subreddits: SUBREDDITS,
    kinds: ['comment'],
    startTimeMs: T0,
    eventIntervalMs: 667,
    streamId: 'trends-test',
  });
  const burst = new SyntheticRedditGenerator({
    seed: 43,
    subreddits: ['space'],
    kinds: ['comment'],
    startTimeMs: T0 + BURST_FROM * MINUTE,
    eventIntervalMs: 2_400,
    streamId: 'trends-test',
  });
  const ingestedUtc = T0 / 1000;
  const events: RedditEvent[] = [];
  for (const item of background.take(Math.floor((MINUTES * MINUTE) / 667)))
    events.push({ ...item, ingestedUtc });
  for (const item of burst.take(((MINUTES - BURST_FROM) * MINUTE) / 2_400)) {
    events.push({ ...item, body: 'That supernova last night was unreal', ingestedUtc });
  }
  // In event time, as a live source delivers them (ties: background first).
  return events.sort((a, b) => a.createdUtc - b.createdUtc);
}

/** What the detector finds on the events, partition by partition, as the server consumes them. */
function offlineFindings(events: readonly RedditEvent[]): TrendFinding[] {
  const ns = testNamespace();
  const nlp = new NlpService(serverSentimentScorer());
  const findings: TrendFinding[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const trends = new PartitionTrends(trendOptionsOf(ns.config.trends));
    let newest = Number.NEGATIVE_INFINITY;
    const mine = events.filter((e) => partitionOf(subredditKey(e.subreddit), PARTITIONS) === p);
    for (const enriched of nlp.enrichBatch(mine)) {
      const input = toEngineInput(enriched);
      trends.count(input, newest - OUT_OF_ORDERNESS_MS);
      newest = Math.max(newest, input.eventTimeMs);
    }
    findings.push(...trends.judge(() => newest - OUT_OF_ORDERNESS_MS).findings);
  }
  return findings;
}

/** What the all-subreddits scope finds on the subreddit-minutes topic as it stands. */
async function overallFindings(s: Scenario): Promise<Overall> {
  const topic = s.ns.config.kafka.topics.trendMinutes;
  const messages = await readTopic(s.ns.config, topic, await topicSize(s.ns.config, topic));
  const oracle = new AllSubredditsTrends(trendOptionsOf(s.ns.config.trends));
  const findings: TrendFinding[] = [];
  const timeline: string[] = [];
  const seen = new Set<string>();
  const lost: string[] = [];
  const partitionCounts = new Set<number | undefined>();
  const t0 = messages[0]?.timestampMs ?? 0;
  const minuteOf = (ms: number) => ((ms - T0) / MINUTE).toFixed(2);
  for (const m of messages.sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)))) {
    const report = JSON.parse(m.value) as MinutesReport;
    // A subreddit-minute first heard of after its minute was judged is lost
    // (one heard of again after a crash is a duplicate, rightly not counted).
    for (const c of report.minutes) {
      const key = `${c.subreddit} ${c.minuteMs}`;
      if (!seen.has(key) && (oracle.judgedThrough ?? -Infinity) >= c.minuteMs + MINUTE)
        lost.push(`${c.subreddit} minute ${minuteOf(c.minuteMs)}`);
      seen.add(key);
    }
    if (!report.tick) partitionCounts.add(report.partitions);
    const judged = oracle.add(report, m.timestampMs);
    findings.push(...judged.findings);
    const minutes = report.minutes.map((c) => c.minuteMs);
    timeline.push(
      [
        `+${((m.timestampMs - t0) / 1000).toFixed(1)}s`,
        report.source,
        report.tick ? 'tick' : '',
        report.idle ? 'idle' : '',
        report.more ? 'more' : '',
        `wm=${report.watermarkMs === null ? 'null' : minuteOf(report.watermarkMs)}`,
        minutes.length > 0
          ? `minutes ${minuteOf(Math.min(...minutes))}..${minuteOf(Math.max(...minutes))} (${minutes.length})`
          : '',
        judged.dropped > 0 ? `dropped ${judged.dropped}` : '',
        `judged through ${oracle.judgedThrough === null ? '-' : minuteOf(oracle.judgedThrough)}`,
      ]
        .filter((x) => x !== '')
        .join(' '),
    );
  }
  return {
    findings,
    judgedThrough: oracle.judgedThrough,
    lost,
    partitionCounts: [...partitionCounts],
    timeline,
  };
}

interface Overall {
  readonly findings: TrendFinding[];
  readonly judgedThrough: number | null;
  /** What the reports said of their topic's partitions (the judge waits for each). */
  readonly partitionCounts: (number | undefined)[];
  /** Subreddit-minutes that arrived after their minute was judged. */
  readonly lost: string[];
  /** One line per report, for a failure's message. */
  readonly timeline: string[];
}

/** The fields every store keeps, as comparable text (floats rounded past any store's doubt). */
const rowText = (t: {
  scope: string;
  kind: string;
  term: string;
  lane: string;
  minuteMs: number;
  value: number;
  expected: number;
  score: number;
  sinceMs: number;
  isNew: boolean;
}): string =>
  [
    t.scope,
    t.kind,
    t.term,
    t.lane,
    new Date(t.minuteMs).toISOString(),
    t.value.toFixed(6),
    t.expected.toFixed(6),
    t.score.toFixed(6),
    new Date(t.sinceMs).toISOString(),
    t.isNew,
  ].join(' ');

const ms = (value: unknown): number => (value instanceof Date ? value.getTime() : Number.NaN);

class Scenario {
  readonly servers: ServerProcess[] = [];
  readonly events = input();
  private produced = 0;

  private constructor(
    readonly ns: TestNamespace,
    private readonly producer: Producer,
    private readonly cassandra: CassandraClient,
    private readonly pg: PgClient,
  ) {}

  static async open(): Promise<Scenario> {
    const ns = testNamespace({
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
      WATERMARK_OUT_OF_ORDERNESS_MS: String(OUT_OF_ORDERNESS_MS),
      WINDOW_FLUSH_INTERVAL_MS: '500',
      STREAMING_CHECKPOINT_INTERVAL_MS: '1000',
    });
    const kafka = new Kafka({ brokers: [...ns.config.kafka.brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const cassandra = new CassandraClient({
      contactPoints: [...ns.config.cassandra.contactPoints],
      localDataCenter: ns.config.cassandra.localDataCenter,
    });
    const pg = new PgClient({ connectionString: ns.config.warehouse.url });
    await Promise.all([producer.connect(), cassandra.connect(), pg.connect()]);
    return new Scenario(ns, producer, cassandra, pg);
  }

  async server(name: string): Promise<ServerProcess> {
    const server = new ServerProcess(this.ns.env, { name });
    this.servers.push(server);
    await server.start();
    return server;
  }

  /** Produces the events before minute `end`, in order, in chunks. */
  async produceUntil(end: number): Promise<void> {
    const stop = this.events.findIndex((e) => e.createdUtc * 1000 >= T0 + end * MINUTE);
    const last = stop < 0 ? this.events.length : stop;
    while (this.produced < last) {
      const next = Math.min(last, this.produced + 200);
      await this.producer.send({
        topic: this.ns.config.kafka.topics.events,
        messages: this.events.slice(this.produced, next).map((event) => ({
          key: subredditKey(event.subreddit),
          value: JSON.stringify(event),
        })),
      });
      this.produced = next;
    }
  }

  async cassandraRows(): Promise<string[]> {
    const rows: string[] = [];
    for (let hour = T0 - 3_600_000; hour <= T0 + 3_600_000; hour += 3_600_000) {
      try {
        const result = await this.cassandra.execute(
          `SELECT * FROM ${this.ns.config.cassandra.keyspace}.trends_by_hour WHERE hour = ?`,
          [new Date(hour)],
          { prepare: true },
        );
        for (const row of result.rows) {
          rows.push(
            rowText({
              scope: row.get('scope') as string,
              kind: row.get('kind') as string,
              term: row.get('term') as string,
              lane: row.get('lane') as string,
              minuteMs: ms(row.get('minute')),
              value: row.get('value') as number,
              expected: row.get('expected') as number,
              score: row.get('score') as number,
              sinceMs: ms(row.get('rising_since')),
              isNew: row.get('is_new') as boolean,
            }),
          );
        }
      } catch {
        return []; // The table does not exist yet.
      }
    }
    return rows.sort();
  }

  async warehouseRows(): Promise<string[]> {
    try {
      const result = await this.pg.query<Record<string, unknown>>(
        `SELECT * FROM ${this.ns.config.warehouse.schema}.fact_trends`,
      );
      return result.rows
        .map((row) =>
          rowText({
            scope: row.scope as string,
            kind: row.kind as string,
            term: row.term as string,
            lane: row.lane as string,
            minuteMs: ms(row.minute_start),
            value: row.value as number,
            expected: row.expected as number,
            score: row.score as number,
            sinceMs: ms(row.rising_since),
            isNew: row.is_new as boolean,
          }),
        )
        .sort();
    } catch {
      return [];
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.servers.map((s) => s.dispose()));
    await Promise.allSettled([
      this.producer.disconnect(),
      this.cassandra.shutdown(),
      this.pg.end(),
    ]);
    await dropNamespace(this.ns.config);
  }
}

let scenario: Scenario | null = null;
afterEach(async () => {
  await scenario?.close();
  scenario = null;
});

describe('trends on the real stack', () => {
  it('finds a planted burst, the same in every store and on the topic, through a kill -9 mid-burst', async () => {
    const s = await Scenario.open();
    scenario = s;
    const expected = offlineFindings(s.events);
    const supernova = expected.filter((f) => f.term === 'supernova' && f.scope === 'space');
    // The oracle itself sees the burst from its first or second minute on.
    expect(supernova[0]?.minuteMs).toBeLessThanOrEqual(T0 + (BURST_FROM + 1) * MINUTE);
    expect(supernova.length).toBeGreaterThanOrEqual(8);
    const expectedRows = expected.map((f) => rowText(f)).sort();

    const first = await s.server('first');
    await s.produceUntil(BURST_FROM + 4);
    // The server has judged some minutes of the burst before it dies.
    await eventually(
      () => s.cassandraRows(),
      (rows) => rows.some((r) => r.startsWith('space keyword supernova live')),
      { what: 'the burst in Cassandra before the crash', timeoutMs: 90_000 },
    );
    await first.kill9();

    const second = await s.server('second');
    await s.produceUntil(MINUTES);
    try {
      await eventually(
        () => s.cassandraRows(),
        (rows) => rows.length >= expectedRows.length,
        {
          what: 'every trend row in Cassandra',
          timeoutMs: 120_000,
        },
      );
      await eventually(
        () => s.warehouseRows(),
        (rows) => rows.length >= expectedRows.length,
        {
          what: 'every trend row in the warehouse',
          timeoutMs: 60_000,
        },
      );
    } catch (error) {
      if (error instanceof Error) error.message += `\n\n${second.logs(8_000)}`;
      throw error;
    }
    // Exactly the offline findings: no minute lost, none judged twice with other counts,
    // and the rise dated from its true start in spite of the crash.
    const bySubreddit = (rows: string[]) => rows.filter((r) => !r.startsWith('* '));
    expect(bySubreddit(await s.cassandraRows())).toEqual(expectedRows);
    expect(bySubreddit(await s.warehouseRows())).toEqual(expectedRows);

    // All subreddits together: judged from the subreddit-minutes topic, in its
    // order, exactly as the detector does it offline on the same topic.
    const overall = await eventually(
      async () => {
        const oracle = await overallFindings(s);
        const stored = (await s.cassandraRows()).filter((r) => r.startsWith('* '));
        return { oracle, stored };
      },
      // Judged through the last minute the partitions judged (the stored rows
      // and the oracle could also agree on a part of it), and stored as judged.
      ({ oracle, stored }) =>
        (oracle.judgedThrough ?? 0) >= T0 + (MINUTES - 1) * MINUTE &&
        stored.join('\n') ===
          oracle.findings
            .map((f) => rowText(f))
            .sort()
            .join('\n'),
      { what: 'the all-subreddits trends in Cassandra', timeoutMs: 60_000, intervalMs: 2_000 },
    );
    // Every subreddit's minute counted: none lost as late, however the reports came.
    expect({ lost: overall.oracle.lost, timeline: overall.oracle.timeline }).toEqual({
      lost: [],
      timeline: overall.oracle.timeline,
    });
    expect(overall.oracle.partitionCounts).toEqual([PARTITIONS]);
    expect(overall.oracle.findings.some((f) => f.term === 'supernova')).toBe(true);
    const overallRows = overall.oracle.findings.map((f) => rowText(f)).sort();
    expect((await s.warehouseRows()).filter((r) => r.startsWith('* '))).toEqual(overallRows);

    // The topic has every row (a replay after the crash may publish some twice, identically).
    const messages = await readTopic(
      s.ns.config,
      s.ns.config.kafka.topics.trends,
      expected.length + overallRows.length,
    );
    const published = new Set(
      messages.map((m) => {
        const t = JSON.parse(m.value) as TrendFinding;
        return rowText(t);
      }),
    );
    expect([...published].sort()).toEqual([...expectedRows, ...overallRows].sort());

    // The API ranks them, strongest first, for one subreddit and over all.
    const until = new Date(T0 + MINUTES * MINUTE).toISOString();
    const api = await second.get(
      `/api/subreddits/space/trends?window=1h&until=${until}&kind=keyword`,
    );
    expect(api.status).toBe(200);
    const body = JSON.parse(api.body) as {
      trends: { term: string; since: string; peakScore: number }[];
    };
    expect(body.trends.map((t) => t.term)).toContain('supernova');
    const scores = body.trends.map((t) => t.peakScore);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(body.trends.find((t) => t.term === 'supernova')?.since).toBe(
      new Date(supernova[0]?.sinceMs ?? 0).toISOString(),
    );
    const all = await second.get(`/api/trends?window=1h&until=${until}&limit=200`);
    expect((JSON.parse(all.body) as { trends: unknown[] }).trends.length).toBe(
      new Set(
        [...expected, ...overall.oracle.findings].map(
          (f) => `${f.scope}|${f.kind}|${f.term}|${f.lane}`,
        ),
      ).size,
    );
    const bad = await second.get('/api/trends?kind=colour&window=5x');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('kind');
  });

  it("pushes every partition's window updates and trends to a client of either instance, resuming by Last-Event-ID", async () => {
    const s = await Scenario.open();
    scenario = s;
    const a = await s.server('a');
    const b = await s.server('b');
    // Both follow the output topics before anything is produced, so every update reaches them.
    for (const server of [a, b]) {
      await eventually(
        () => server.metric('reddit_live_following'),
        (v) => v === 1,
        {
          what: 'both servers following the topics',
        },
      );
    }
    const windowsPath = `/api/live/windows?subreddits=${SUBREDDITS.join(',')}&window=1m`;
    const first = new SseClient(`${a.baseUrl}${windowsPath}`);
    const trends = new SseClient(`${a.baseUrl}/api/live/trends?scope=space&kind=keyword`);
    try {
      await s.produceUntil(BURST_FROM + 4);
      // Every partition's subreddits, whichever instance owns them.
      await eventually(
        () => Promise.resolve(new Set(first.of('window').map((e) => field(e.data, 'subreddit')))),
        (seen) => SUBREDDITS.every((name) => seen.has(name)),
        { what: 'window updates of every subreddit on instance a', timeoutMs: 90_000 },
      );
      await eventually(
        () => Promise.resolve(trends.of('trend').map((e) => field(e.data, 'term'))),
        (terms) => terms.includes('supernova'),
        { what: 'the burst pushed as a trend', timeoutMs: 90_000 },
      );
      expect(first.status).toBe(200);
      await first.close();
      const lastId = first.lastId;
      expect(lastId).not.toBeNull();

      // While the client is away, more updates; it comes back to the other instance.
      await s.produceUntil(BURST_FROM + 8);
      const second = new SseClient(`${b.baseUrl}${windowsPath}`, lastId ?? undefined);
      await s.produceUntil(MINUTES);
      try {
        const received = () =>
          [...first.of('window'), ...second.of('window')].map((e) => updateKey(e.data));
        // Updates go on landing while the topic is read: what was received
        // before the read must all be on the topic, and what is on it must
        // all have been received once the read is done.
        const settled = await eventually(
          async () => {
            const before = received();
            const published = await windowUpdates(s);
            return { before, published, after: received() };
          },
          ({ before, published, after }) =>
            before.every((key) => published.has(key)) &&
            [...published].every((key) => after.includes(key)),
          {
            what: 'every window update over the two connections',
            timeoutMs: 120_000,
            intervalMs: 3_000,
          },
        );
        // Each update exactly once over the two connections, none missed, no gap.
        expect(new Set(settled.after).size).toBe(settled.after.length);
        expect(second.of('window').length).toBeGreaterThan(0);
        expect(second.of('gap')).toEqual([]);
      } finally {
        await second.close();
      }
    } finally {
      await Promise.allSettled([first.close(), trends.close()]);
    }
  });
});

function field(data: unknown, name: string): unknown {
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[name] : null;
}

/** A window update: which window, and which version of it. */
function updateKey(data: unknown): string {
  return ['subreddit', 'window', 'windowStart', 'updatedAt'].map((f) => field(data, f)).join('|');
}

/** Every 1m window update of the test's subreddits on the windows topic, as update keys. */
async function windowUpdates(s: Scenario): Promise<Set<string>> {
  const topic = s.ns.config.kafka.topics.windows;
  const size = await topicSize(s.ns.config, topic);
  const messages = await readTopic(s.ns.config, topic, size);
  const keys = new Set<string>();
  for (const m of messages) {
    const w = JSON.parse(m.value) as {
      subreddit: string;
      window: string;
      windowStart: string;
      updatedAtMs: number;
    };
    if (w.window !== '1m' || !SUBREDDITS.includes(w.subreddit)) continue;
    keys.add(
      [w.subreddit, w.window, w.windowStart, new Date(w.updatedAtMs).toISOString()].join('|'),
    );
  }
  return keys;
}

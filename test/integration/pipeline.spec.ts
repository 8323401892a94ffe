import { type INestApplication } from '@nestjs/common';
import { Client as CassandraClient } from 'cassandra-driver';
import { Kafka, logLevel } from 'kafkajs';
import { Client as PgClient } from 'pg';
import { createApp, startApp } from '@app/bootstrap';
import { type RedditEvent } from '@app/events/reddit-event';
import { EventSink } from '@app/kafka/ports';
import { SyntheticRedditGenerator } from '@app/ingest/sources/synthetic/synthetic-generator';
import { dropNamespace } from '../support/cleanup';
import { eventually, testNamespace, type TestNamespace } from '../support/environment';
import { type ExpectedWindow, expectedMinuteWindows } from '../support/expected-windows';
import { serverSentimentScorer } from '../support/sentiment-scorer';

jest.setTimeout(180_000);

/** The scorer the server uses, so expected sentiment sums match exactly. */
const scorer = serverSentimentScorer();

interface StoredWindow extends ExpectedWindow {
  key: string;
}

function generate(seed: number, count: number, startTimeMs: number): RedditEvent[] {
  const generator = new SyntheticRedditGenerator({
    seed,
    subreddits: ['AskReddit', 'worldnews', 'programming'],
    kinds: ['submission', 'comment'],
    startTimeMs,
    eventIntervalMs: 200,
    streamId: 'pipeline-test',
  });
  return generator.take(count).map((item) => ({ ...item, ingestedUtc: Date.now() / 1000 }));
}

describe('pipeline on the real stack: Kafka -> streaming -> Cassandra and PostgreSQL', () => {
  let ns: TestNamespace;
  let app: INestApplication | null = null;
  let cassandra: CassandraClient;
  let pg: PgClient;

  const start = async (): Promise<INestApplication> => {
    const created = await createApp(ns.config);
    await startApp(created, '127.0.0.1', 0);
    return created;
  };

  const cassandraWindows = async (): Promise<StoredWindow[]> => {
    const result = await cassandra.execute(
      `SELECT subreddit, window_start, submissions, comments, sentiment_count, sentiment_sum, score_sum
       FROM ${ns.config.cassandra.keyspace}.windows_by_subreddit_day`,
    );
    return result.rows.map((row) => ({
      key: `${row.get('subreddit') as string}|${(row.get('window_start') as Date).getTime()}`,
      submissions: Number(row.get('submissions')),
      comments: Number(row.get('comments')),
      sentimentCount: Number(row.get('sentiment_count')),
      sentimentSum: Number(row.get('sentiment_sum')),
      scoreSum: Number(row.get('score_sum')),
    }));
  };

  const warehouseWindows = async (): Promise<StoredWindow[]> => {
    const result = await pg.query<{
      subreddit: string;
      window_start: Date;
      submissions: string;
      comments: string;
      sentiment_count: string;
      sentiment_sum: number;
      score_sum: string;
    }>(
      `SELECT subreddit, window_start, submissions, comments, sentiment_count, sentiment_sum, score_sum
       FROM ${ns.config.warehouse.schema}.fact_windows WHERE window_spec = '1m'`,
    );
    return result.rows.map((row) => ({
      key: `${row.subreddit}|${row.window_start.getTime()}`,
      submissions: Number(row.submissions),
      comments: Number(row.comments),
      sentimentCount: Number(row.sentiment_count),
      sentimentSum: Number(row.sentiment_sum),
      scoreSum: Number(row.score_sum),
    }));
  };

  const total = (windows: readonly StoredWindow[]): number =>
    windows.reduce((sum, w) => sum + w.submissions + w.comments, 0);

  const expectMatches = (
    stored: readonly StoredWindow[],
    expected: Map<string, ExpectedWindow>,
  ) => {
    expect(stored.map((w) => w.key).sort()).toEqual([...expected.keys()].sort());
    for (const window of stored) {
      const want = expected.get(window.key);
      const { key, sentimentSum, ...counts } = window;
      expect({ key, ...counts }).toEqual({ key, ...want, sentimentSum: undefined });
      expect(sentimentSum).toBeCloseTo(want?.sentimentSum ?? Number.NaN, 6);
    }
  };

  beforeAll(async () => {
    ns = testNamespace({ WINDOW_SPECS: '1m' });
    cassandra = new CassandraClient({
      contactPoints: [...ns.config.cassandra.contactPoints],
      localDataCenter: ns.config.cassandra.localDataCenter,
    });
    pg = new PgClient({ connectionString: ns.config.warehouse.url });
    await Promise.all([cassandra.connect(), pg.connect()]);
    app = await start();
  });

  afterAll(async () => {
    await app?.close();
    await Promise.allSettled([cassandra.shutdown(), pg.end()]);
    await dropNamespace(ns.config);
  });

  it('stores every event once and windows equal to those computed from the generator', async () => {
    const startTimeMs = Date.UTC(2025, 0, 1, 10, 0, 0);
    const events = generate(11, 1500, startTimeMs);
    // Redeliver the first 100 events: duplicates must not be counted twice.
    const withDuplicates = [...events, ...events.slice(0, 100)];
    await app!.get(EventSink).publish(withDuplicates);

    const expected = expectedMinuteWindows(events, scorer);
    const stored = await eventually(cassandraWindows, (rows) => total(rows) >= events.length, {
      what: 'Cassandra windows to count every event',
    });
    expectMatches(stored, expected);

    const warehouse = await eventually(warehouseWindows, (rows) => total(rows) >= events.length, {
      what: 'warehouse windows to count every event',
    });
    expectMatches(warehouse, expected);

    // Posts are written alongside the windows; wait for the last batch's writes too.
    const posts = await eventually(
      async () =>
        Number(
          (
            await cassandra.execute(
              `SELECT count(*) AS n FROM ${ns.config.cassandra.keyspace}.posts_by_subreddit_day`,
            )
          )
            .first()
            .get('n'),
        ),
      (n) => n >= events.length,
      { what: 'every post in Cassandra' },
    );
    expect(posts).toBe(events.length);
    const facts = await eventually(
      async () =>
        (
          await pg.query<{ n: string; distinct_n: string }>(
            `SELECT count(*) AS n, count(DISTINCT fullname) AS distinct_n
             FROM ${ns.config.warehouse.schema}.fact_posts`,
          )
        ).rows[0],
      (row) => Number(row?.n) >= events.length,
      { what: 'every post in the warehouse' },
    );
    expect(facts).toEqual({ n: String(events.length), distinct_n: String(events.length) });

    // Every scored row names the model that scored it; unscored rows name none.
    const postModels = (
      await pg.query<{ model: string | null; scored: boolean; n: string }>(
        `SELECT sentiment_model AS model, sentiment_score IS NOT NULL AS scored, count(*) AS n
         FROM ${ns.config.warehouse.schema}.fact_posts GROUP BY 1, 2 ORDER BY 1, 2`,
      )
    ).rows;
    expect(postModels.filter((row) => row.scored).map((row) => row.model)).toEqual([scorer.model]);
    expect(postModels.filter((row) => !row.scored).every((row) => row.model === null)).toBe(true);
    const windowModels = await pg.query<{ model: string | null }>(
      `SELECT DISTINCT sentiment_model AS model FROM ${ns.config.warehouse.schema}.fact_windows
       WHERE sentiment_count > 0`,
    );
    expect(windowModels.rows.map((row) => row.model)).toEqual([scorer.model]);
    const cassandraModels = await cassandra.execute(
      `SELECT sentiment_model, sentiment_score FROM ${ns.config.cassandra.keyspace}.posts_by_subreddit_day`,
    );
    for (const row of cassandraModels.rows) {
      expect(row.get('sentiment_model')).toBe(
        row.get('sentiment_score') === null ? null : scorer.model,
      );
    }
  });

  it('sends malformed and hostile messages to the dead-letter topic with a reason and keeps going', async () => {
    const kafka = new Kafka({ brokers: [...ns.config.kafka.brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const valid = generate(12, 30, Date.UTC(2025, 0, 2, 0, 0, 0));
    const badFullname = { ...valid[0], fullname: 'not-a-fullname' };
    const invalidUtf8 = Buffer.concat([
      Buffer.from(JSON.stringify({ ...valid[1], body: 'ok' }).slice(0, -2)),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}'),
    ]);
    // About 1 MB: under the broker's message limit, far over what an event may be.
    const oneMegabyte = JSON.stringify({ ...valid[2], body: 'x'.repeat(1_000_000) });
    await producer.send({
      topic: ns.config.kafka.topics.events,
      messages: [
        { key: 'askreddit', value: '{"this is": not json' },
        { key: 'askreddit', value: JSON.stringify(badFullname) },
        { key: 'askreddit', value: JSON.stringify({ ...valid[0], schemaVersion: 2 }) },
        { key: 'askreddit', value: JSON.stringify({ ...valid[0], createdUtc: 'yesterday' }) },
        { key: 'askreddit', value: invalidUtf8 },
        { key: 'askreddit', value: oneMegabyte },
        ...valid.map((event) => ({ key: event.subreddit, value: JSON.stringify(event) })),
      ],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${ns.id}-dlq-reader` });
    const letters: { reason: string; offset: string; value: string | null }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: ns.config.kafka.topics.deadLetter, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        letters.push(JSON.parse(message.value?.toString() ?? '{}') as (typeof letters)[number]);
        return Promise.resolve();
      },
    });
    try {
      await eventually(
        () => Promise.resolve(letters.length),
        (n) => n >= 6,
        { what: 'six dead letters' },
      );
    } finally {
      await consumer.disconnect();
    }
    const reasons = letters.map((letter) => letter.reason).sort();
    expect(reasons).toEqual([
      expect.stringMatching(/^invalid JSON/),
      'invalid event: createdUtc must be a positive number of Unix seconds',
      expect.stringMatching(/^invalid event: fullname/),
      'invalid event: unsupported schemaVersion 2',
      expect.stringMatching(/^message of \d+ bytes is larger than an event may be/),
      'message value is not valid UTF-8',
    ]);
    expect(letters.find((l) => l.reason.startsWith('invalid JSON'))?.value).toBe(
      '{"this is": not json',
    );

    // The valid events of the same batch were processed.
    const expected = expectedMinuteWindows(valid, scorer);
    const day2 = await eventually(
      async () => (await cassandraWindows()).filter((w) => expected.has(w.key)),
      (rows) => total(rows) >= valid.length,
      { what: 'windows of the valid events' },
    );
    expectMatches(day2, expected);
  });

  it('continues stored windows after a restart instead of overwriting them', async () => {
    const startTimeMs = Date.UTC(2025, 0, 3, 0, 0, 0);
    const events = generate(13, 600, startTimeMs);
    const firstHalf = events.slice(0, 300);
    const secondHalf = events.slice(300);
    await app!.get(EventSink).publish(firstHalf);
    const inRange = async () =>
      (await cassandraWindows()).filter((w) => Number(w.key.split('|')[1]) >= startTimeMs);
    await eventually(inRange, (rows) => total(rows) >= firstHalf.length, {
      what: 'first half counted',
    });

    await app!.close();
    app = await start();
    await app.get(EventSink).publish(secondHalf);

    const expected = expectedMinuteWindows(events, scorer);
    const stored = await eventually(inRange, (rows) => total(rows) >= events.length, {
      what: 'both halves counted',
    });
    expectMatches(stored, expected);
  });
});

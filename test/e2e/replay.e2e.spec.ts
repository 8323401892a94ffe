import { type INestApplication } from '@nestjs/common';
import { parseLaneEnd } from '@app/events/lane-end';
import { dropNamespace } from '../support/cleanup';
import { type HttpTestApp, startHttpApp } from '../support/http-app';
import { eventually, testNamespace, type TestNamespace } from '../support/environment';
import { readTopic, topicSize } from '../support/kafka-topics';
import {
  buildDump,
  type BuiltDump,
  dumpVariants,
  expectedEvents,
  expectedRejects,
  loadRecordedItems,
  malformedLines,
  tempDir,
  writeDump,
  zstdCompress,
} from '../support/replay-dumps';

jest.setTimeout(180_000);

interface StreamBody {
  id: string;
  state: string;
  produced: { total: number; rejected: number };
  progress: Record<string, number | string>;
}

/**
 * Replay streams through the HTTP API into the real Kafka: dump files written
 * from recorded Reddit API items, plain and .zst, with malformed lines.
 */
describe('replay streams end to end', () => {
  const folder = tempDir('replay-e2e');
  let ns: TestNamespace;
  let app: INestApplication;
  let http: HttpTestApp['http'];
  let post: HttpTestApp['post'];
  let dump: BuiltDump;

  const waitCompleted = (id: string) =>
    eventually(
      async () => (await http.get(`/api/streams/${id}`).expect(200)).body as StreamBody,
      (body) => body.state === 'completed',
      { what: `stream ${id} to complete` },
    );

  beforeAll(async () => {
    dump = buildDump(dumpVariants(loadRecordedItems()), {
      extra: malformedLines(loadRecordedItems()),
      every: 50,
    });
    const plain = writeDump(folder.dir, 'items.jsonl', dump.text);
    zstdCompress(plain, `${folder.dir}/items.jsonl.zst`);
    ns = testNamespace({ REPLAY_DIR: folder.dir });
    ({ app, http, post } = await startHttpApp(ns));
  });

  afterAll(async () => {
    await app?.close();
    await dropNamespace(ns.config);
    folder.cleanup();
  });

  it('puts every valid line of a .zst dump on Kafka once and dead-letters the bad lines with their line numbers', async () => {
    const events = expectedEvents(dump);
    const rejects = expectedRejects(dump);
    await post('/api/streams')
      .send({
        id: 'replay-zst',
        source: 'replay',
        replay: { file: 'items.jsonl.zst', speed: 'max' },
      })
      .expect(201);
    const done = await waitCompleted('replay-zst');
    expect(done.produced).toMatchObject({ total: events.length, rejected: rejects.length });

    // Besides the events, the completed replay left one lane-end marker per partition.
    const partitions = ns.config.kafka.partitions;
    const all = await readTopic(
      ns.config,
      ns.config.kafka.topics.events,
      events.length + partitions,
    );
    expect(await topicSize(ns.config, ns.config.kafka.topics.events)).toBe(
      events.length + partitions,
    );
    const markers = all.filter((m) => parseLaneEnd(m.value) !== null);
    expect(markers.map((m) => parseLaneEnd(m.value))).toEqual(
      Array(partitions).fill({ streamId: 'replay-zst', live: false }),
    );
    const messages = all.filter((m) => parseLaneEnd(m.value) === null);
    expect(messages).toHaveLength(events.length);
    const fullnames = messages.map((m) => (JSON.parse(m.value) as { fullname: string }).fullname);
    expect(new Set(fullnames).size).toBe(events.length);
    expect(new Set(fullnames)).toEqual(
      new Set(events.map(({ item }) => `${item.kind}_${String(item.data.id)}`)),
    );
    // Keyed by subreddit, so each subreddit stays in one partition.
    for (const message of messages) {
      expect(message.key).toBe((JSON.parse(message.value) as { subreddit: string }).subreddit);
    }

    const letters = (await readTopic(ns.config, ns.config.kafka.topics.deadLetter, rejects.length))
      .map(
        (m) =>
          JSON.parse(m.value) as {
            stage: string;
            reason: string;
            position: string;
            streamId: string;
          },
      )
      .filter((letter) => letter.streamId === 'replay-zst');
    expect(letters).toHaveLength(rejects.length);
    for (const expected of rejects) {
      const letter = letters.find((l) => l.position === `line ${expected.line} of items.jsonl.zst`);
      expect(letter?.stage).toBe('ingest');
      expect(letter?.reason).toMatch(expected.reason);
    }
  });

  it('starts a replay at a given line, so a stopped replay can continue', async () => {
    const events = expectedEvents(dump);
    const startLine = Math.floor(dump.lines.length / 2);
    await post('/api/streams')
      .send({
        id: 'replay-half',
        source: 'replay',
        kinds: ['comments'],
        replay: { file: 'items.jsonl', startLine },
      })
      .expect(201);
    const done = await waitCompleted('replay-half');
    const comments = events.filter((e) => e.line >= startLine && e.item.kind === 't1').length;
    expect(comments).toBeGreaterThan(0);
    expect(done.produced.total).toBe(comments);
    expect(done.progress.line).toBe(dump.lines.length);
  });

  it('refuses files outside the replay directory and missing files', async () => {
    const escape = await post('/api/streams')
      .send({ source: 'replay', replay: { file: '../../etc/passwd' } })
      .expect(400);
    expect((escape.body as { message: string }).message).not.toContain(folder.dir);
    const missing = await post('/api/streams')
      .send({ source: 'replay', replay: { file: 'nope.zst' } })
      .expect(404);
    expect((missing.body as { message: string }).message).toContain('nope.zst');
  });

  it("names the request's field when the dump is missing or outside the directory", async () => {
    const missing = await post('/api/streams')
      .send({ source: 'replay', replay: { file: 'no-such-dump.jsonl' } })
      .expect(404);
    expect(missing.body).toMatchObject({
      statusCode: 404,
      error: 'NOT_FOUND',
      details: { field: 'replay.file' },
    });
    const escape = await post('/api/streams')
      .send({ source: 'replay', replay: { file: '../outside.jsonl' } })
      .expect(400);
    expect(escape.body).toMatchObject({
      error: 'INVALID_INPUT',
      details: { field: 'replay.file' },
    });
  });
});

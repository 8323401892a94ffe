import { normaliseRedditItem } from '@app/ingest/domain/reddit-normaliser';
import { dropNamespace } from '../support/cleanup';
import { eventually, testNamespace, type TestNamespace } from '../support/environment';
import { readTopic, topicSize } from '../support/kafka-topics';
import { buildDump, expectedEvents, retimed, tempDir, writeDump } from '../support/replay-dumps';
import { ServerProcess } from '../support/server-process';

jest.setTimeout(600_000);

/**
 * Ingest through kill -9: a replay and a synthetic live stream produce while
 * the server is killed three times and started again. Each stream resumes
 * from its saved position, and what a killed process had published past it
 * must not be published again: the events topic holds every source item once.
 */

const SYNTHETIC_ITEMS = 8_000;
const KILLS = 3;

interface StreamStatus {
  readonly state: string;
  readonly produced: { readonly total: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let ns: TestNamespace | null = null;
let server: ServerProcess | null = null;
const folder = tempDir('ingest-crash');

afterAll(async () => {
  await server?.dispose();
  if (ns) await dropNamespace(ns.config);
  folder.cleanup();
});

describe('ingest through kill -9', () => {
  it('a replay and a live stream, the server killed three times: every source item once on the events topic', async () => {
    const dump = buildDump(retimed(Date.UTC(2024, 4, 1) / 1000, 1, 20, 'k'));
    writeDump(folder.dir, 'history.jsonl', dump.text);
    // What the replay publishes: the dump's items that normalise (the rest are dead-lettered).
    const replayFullnames = new Set(
      expectedEvents(dump).flatMap(({ item }) => {
        const event = normaliseRedditItem(item.kind, item.data, {
          source: 'replay',
          streamId: 'history',
          ingestedUtc: 0,
        });
        return event.ok ? [event.value.fullname] : [];
      }),
    );
    const replayItems = replayFullnames.size;
    ns = testNamespace({ REPLAY_DIR: folder.dir, KAFKA_TOPIC_PARTITIONS: '3', LOG_LEVEL: 'log' });
    server = new ServerProcess(ns.env, { name: 'ingest' });
    const s = server;
    await s.start();

    const started = await Promise.all([
      s.post('/api/streams', {
        id: 'history',
        source: 'replay',
        replay: { file: 'history.jsonl', speed: '100x' },
      }),
      s.post('/api/streams', {
        id: 'live',
        source: 'synthetic',
        subreddits: ['askscience', 'worldnews', 'gardening', 'movies'],
        kinds: ['submissions', 'comments'],
        ratePerSecond: 100,
        maxEvents: SYNTHETIC_ITEMS,
        synthetic: { seed: 909 },
      }),
    ]);
    expect(started.map((r) => r.status)).toEqual([201, 201]);
    const status = async (id: string): Promise<StreamStatus> =>
      JSON.parse((await s.get(`/api/streams/${id}`)).body) as StreamStatus;

    // Killed at moments spread over the streams' run, each time mid-stream.
    // (After a restart a stream catches up to its rate since it started, so
    // the streams are long enough to outlast three restarts.)
    const producedAtKill: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(2_000 + kill * 1_000);
      const [history, live] = await Promise.all([status('history'), status('live')]);
      expect([history.state, live.state]).toEqual(['running', 'running']);
      producedAtKill.push(history.produced.total + live.produced.total);
      await s.kill9();
      await s.start();
    }

    for (const id of ['history', 'live']) {
      await eventually(
        () => status(id),
        (st) => st.state === 'completed',
        {
          what: `stream ${id} to complete`,
          timeoutMs: 240_000,
          intervalMs: 2_000,
        },
      );
    }

    const topic = ns.config.kafka.topics.events;
    const messages = await readTopic(ns.config, topic, await topicSize(ns.config, topic));
    const sent = new Map<string, string[]>();
    for (const m of messages) {
      const event = JSON.parse(m.value) as { streamId?: string; fullname?: string };
      if (typeof event.fullname !== 'string' || typeof event.streamId !== 'string') continue;
      sent.set(event.streamId, [...(sent.get(event.streamId) ?? []), event.fullname]);
    }
    const history = sent.get('history') ?? [];
    const live = sent.get('live') ?? [];
    const skipped = [
      ...s.logs(10_000_000).matchAll(/skipped (\d+) event\(s\) already on the topic/g),
    ]
      .map((match) => Number(match[1]))
      .reduce((sum, n) => sum + n, 0);
    expect(new Set(history)).toEqual(replayFullnames);
    expect({
      history: { messages: history.length, distinct: new Set(history).size },
      live: { messages: live.length, distinct: new Set(live).size },
    }).toEqual({
      history: { messages: replayItems, distinct: replayItems },
      live: { messages: SYNTHETIC_ITEMS, distinct: SYNTHETIC_ITEMS },
    });
    console.log(
      `ingest crash: ${KILLS} kill -9 at ${producedAtKill.join(', ')} items produced; the topic ` +
        `holds ${history.length} replay items (${replayItems} in the dump) and ${live.length} live ` +
        `items (${SYNTHETIC_ITEMS} asked for), none twice; ${skipped} item(s) found already on the ` +
        `topic after a restart and not sent again`,
    );
  });
});

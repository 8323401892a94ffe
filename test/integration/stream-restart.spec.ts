import { type INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { createApp, startApp } from '@app/bootstrap';
import { StreamsService } from '@app/ingest/streams.service';
import { WindowsService } from '@app/query/windows.service';
import { dropNamespace } from '../support/cleanup';
import { eventually, testNamespace, type TestNamespace } from '../support/environment';

jest.setTimeout(180_000);

/**
 * A server restart in the middle of a stream: the stream comes back by itself
 * from its persisted checkpoint, and Kafka ends up with every event exactly once.
 */
describe('streams survive a server restart', () => {
  let ns: TestNamespace;
  let app: INestApplication | null = null;

  const start = async (): Promise<INestApplication> => {
    const created = await createApp(ns.config);
    await startApp(created, '127.0.0.1', 0);
    return created;
  };

  beforeAll(() => {
    ns = testNamespace();
  });

  afterAll(async () => {
    await app?.close();
    await dropNamespace(ns.config);
  });

  it('resumes from the checkpoint with no duplicates and no gaps', async () => {
    const total = 3000;
    app = await start();
    await app.get(StreamsService).start({
      id: 'restart-me',
      source: 'synthetic',
      subreddits: ['AskReddit', 'worldnews'],
      ratePerSecond: 1000,
      maxEvents: total,
      synthetic: { seed: 21, startTime: '2025-05-01T00:00:00Z', eventIntervalMs: 20 },
    });
    await eventually(
      () => Promise.resolve(app!.get(StreamsService).get('restart-me').counters),
      (c) => c.submissions + c.comments >= 600,
      { what: 'part of the stream produced' },
    );
    await app.close();
    app = null;

    app = await start();
    const service = app.get(StreamsService);
    expect(['running', 'completed']).toContain(service.get('restart-me').state);
    const final = await eventually(
      () => Promise.resolve(service.get('restart-me')),
      (snapshot) => snapshot.state === 'completed',
      { what: 'the stream to complete after the restart' },
    );
    expect(final.counters.submissions + final.counters.comments).toBe(total);

    // Exactly `total` events reached the topic: nothing repeated, nothing skipped.
    const admin = new Kafka({
      brokers: [...ns.config.kafka.brokers],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(ns.config.kafka.topics.events);
    await admin.disconnect();
    // Plus, once the stream completed, its end-of-stream marker on each partition.
    expect(offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)).toBe(
      total + ns.config.kafka.partitions,
    );

    // And the windows count each of them once.
    const windows = app.get(WindowsService);
    await eventually(
      async () => {
        const results = await Promise.all(
          ['askreddit', 'worldnews'].map((sub) =>
            windows.find(sub, '1m', '2025-05-01T00:00:00Z', '2025-05-02T00:00:00Z'),
          ),
        );
        return results
          .flatMap((r) => r.windows)
          .reduce((sum, w) => sum + w.submissions + w.comments, 0);
      },
      (counted) => counted === total,
      { what: `${total} events in the windows` },
    );
  });
});

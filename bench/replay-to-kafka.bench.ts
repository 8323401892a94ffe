/**
 * Replay throughput into Kafka: events/s from a .zst dump through the real
 * server's ingest path (ReplaySource -> StreamRunner -> idempotent producer,
 * acks=all) into the local stack's Kafka. Generates a dump of realistic Reddit
 * items (the recorded API items, about 2.2 KB of JSON each), starts the server
 * with its own topics, runs one replay stream at speed "max", and times it from
 * the POST until the stream is completed (every event acknowledged by Kafka).
 *
 * Runs twice by default: ingest only (STREAMING_ENABLED=false, as an ingest
 * instance would run) and the whole server (the consumer, NLP, windows and
 * both stores competing for the same 2 cores).
 *
 *   scripts/stack.sh up && npx ts-node -r tsconfig-paths/register --transpile-only bench/replay-to-kafka.bench.ts [lines]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, startApp } from '@app/bootstrap';
import { StreamsService } from '@app/ingest/streams.service';
import { dropNamespace } from '../test/support/cleanup';
import { testNamespace } from '../test/support/environment';
import { topicSize } from '../test/support/kafka-topics';
import { writeZstDump } from './support/generated-dump';

const LINES = Number(process.argv[2] ?? 200_000);

async function run(dir: string, streaming: boolean): Promise<void> {
  const ns = testNamespace({
    REPLAY_DIR: dir,
    STREAMING_ENABLED: String(streaming),
    KAFKA_TOPIC_PARTITIONS: '6',
    LOG_LEVEL: 'error',
  });
  const app = await createApp(ns.config);
  try {
    await startApp(app, '127.0.0.1', 0);
    const streams = app.get(StreamsService);
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 100);
    const started = process.hrtime.bigint();
    await streams.start({
      id: 'bench',
      source: 'replay',
      replay: { file: 'RC_bench.zst', speed: 'max' },
    });
    for (;;) {
      const snapshot = streams.get('bench');
      if (snapshot.state === 'completed') break;
      if (snapshot.state === 'stopped') throw new Error(`stream stopped: ${snapshot.lastError}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    clearInterval(sampler);
    const { counters } = streams.get('bench');
    const produced = counters.submissions + counters.comments;
    const onTopic = await topicSize(ns.config, ns.config.kafka.topics.events);
    if (produced !== LINES || onTopic !== LINES) {
      throw new Error(`expected ${LINES} events, produced ${produced}, on the topic ${onTopic}`);
    }
    const label = streaming
      ? 'whole server (consumer running too)'
      : 'ingest only (STREAMING_ENABLED=false)';
    console.log(
      `${label.padEnd(40)} ${LINES} events in ${(ms / 1000).toFixed(2)} s: ` +
        `${Math.round((LINES / ms) * 1000).toLocaleString('en')} events/s into Kafka, ` +
        `${counters.batches} batches, peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB`,
    );
  } finally {
    await app.close();
    await dropNamespace(ns.config);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'replay-kafka-bench-'));
  try {
    const path = join(dir, 'RC_bench.zst');
    const bytes = await writeZstDump(path, LINES);
    console.log(
      `dump: ${LINES} lines, ${(bytes / 1024 / 1024).toFixed(0)} MiB of JSON ` +
        `(${Math.round(bytes / LINES)} B/line), ${(statSync(path).size / 1024 / 1024).toFixed(1)} MiB .zst`,
    );
    await run(dir, false);
    if (!process.argv.includes('--ingest-only')) await run(dir, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * What each step of the consumer path costs on its own, on this machine, with
 * the streaming benchmark's events: how many events per second each step
 * could take if it had the machine to itself, and what the steps add up to.
 *
 *   scripts/stack.sh up && npx ts-node -r tsconfig-paths/register --transpile-only bench/ceilings.bench.ts [events]
 *
 *   events   how many events to generate and push through each step (default 60000)
 *
 * Steps, each timed alone, one after the other:
 * - decode: JSON.parse and schema check of the Kafka message values (this process, one core);
 * - nlp: NlpService.enrichBatch, the production analysis (this process, one core);
 * - cassandra posts: CassandraPostStore.upsertPosts, the production post writes,
 *   in flush-sized calls with three in flight (as three partitions flush);
 * - warehouse posts: PgWarehouse.loadPosts, the production staged load, the same way.
 *
 * For the store steps the CPU of this process (the driver) and of the store
 * (Cassandra's JVM, the PostgreSQL backends) are measured from /proc. The
 * cost per event is CPU seconds / events, and a step's ceiling on a machine
 * with C cores is C / that cost: the rate at which the step alone would keep
 * every core busy. The sum of the costs gives the ceiling of the whole path
 * before Kafka and window aggregation are counted, so it is an upper bound.
 */
import { cpus } from 'node:os';
import { type AppConfig } from '@app/config';
import { parseRedditEvent, type RedditEvent } from '@app/events/reddit-event';
import { RedditSentimentScorer } from '@app/nlp/domain/reddit-model/reddit-sentiment.scorer';
import { loadSentimentModel } from '@app/nlp/sentiment-model.file';
import { type EnrichedEvent, NlpService } from '@app/nlp/nlp.service';
import { CassandraPostStore } from '@app/storage/cassandra/cassandra-post.store';
import { CassandraSession } from '@app/storage/cassandra/cassandra-session';
import { forEachConcurrently } from '@app/storage/cassandra/partition-batches';
import { type PostRecord } from '@app/storage/records';
import { PgWarehouse } from '@app/storage/warehouse/pg-warehouse';
import { toPostRecord } from '@app/streaming/mapping';
import { dropNamespace } from '../test/support/cleanup';
import { testNamespace } from '../test/support/environment';
import { BENCH_SUBREDDITS, BenchEventSource } from './support/bench-events';
import { CpuMeter } from './support/cpu-usage';
import { formatInt, table } from './support/report';

const MEAN_JSON_BYTES = 1600;
/** Rows per store call: about what one partition buffers in a one-second flush at 20,000 events/s over 6 partitions. */
const CHUNK = 3500;
const IN_FLIGHT = 3;

interface Step {
  readonly name: string;
  readonly events: number;
  readonly wallSeconds: number;
  /** CPU seconds by where they were spent (this process, a service). */
  readonly cpu: ReadonlyMap<string, number>;
}

const totalCpu = (step: Step): number => [...step.cpu.values()].reduce((a, b) => a + b, 0);

function inProcess(name: string, events: number, work: () => void): Step {
  work(); // warm-up pass: JIT and caches
  const before = process.cpuUsage();
  const started = process.hrtime.bigint();
  work();
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(before);
  return {
    name,
    events,
    wallSeconds,
    cpu: new Map([['this process', (used.user + used.system) / 1e6]]),
  };
}

async function storeStep(
  name: string,
  service: string,
  posts: readonly PostRecord[],
  write: (chunk: readonly PostRecord[]) => Promise<void>,
): Promise<Step> {
  const chunks: PostRecord[][] = [];
  for (let i = 0; i < posts.length; i += CHUNK) chunks.push(posts.slice(i, i + CHUNK));
  const meter = CpuMeter.start(process.pid);
  await forEachConcurrently(chunks, IN_FLIGHT, write);
  const usage = meter.stop();
  return {
    name,
    events: posts.length,
    wallSeconds: usage.wallSeconds,
    cpu: new Map([
      ['this process', usage.benchCores * usage.wallSeconds],
      [service, (usage.serviceCores.get(service) ?? 0) * usage.wallSeconds],
    ]),
  };
}

async function main(): Promise<void> {
  const events = Number(process.argv[2] ?? 60_000);
  if (!Number.isInteger(events) || events <= 0)
    throw new Error('events must be a positive integer');
  const cores = cpus().length;
  console.log(`ceilings: ${formatInt(events)} events, ${cores} CPUs, node ${process.version}`);

  const source = new BenchEventSource({
    seed: 7,
    subreddits: BENCH_SUBREDDITS,
    startTimeMs: Date.UTC(2026, 0, 1),
    eventIntervalMs: 5,
    meanJsonBytes: MEAN_JSON_BYTES,
    streamId: 'bench-ceilings',
  });
  const now = Date.now();
  const values: Buffer[] = [];
  for (let i = 0; i < events; i++) values.push(Buffer.from(source.next(now).json, 'utf8'));
  const bytes = values.reduce((sum, v) => sum + v.length, 0);
  console.log(
    `  generated ${formatInt(events)} events, ${formatInt(bytes / events)} B of JSON each on average`,
  );

  const steps: Step[] = [];
  let decoded: RedditEvent[] = [];
  steps.push(
    inProcess('decode', events, () => {
      decoded = [];
      for (const value of values) {
        const parsed = parseRedditEvent(JSON.parse(value.toString('utf8')));
        if (parsed.ok) decoded.push(parsed.value);
      }
    }),
  );
  // The server's default scorer: the Reddit model.
  const nlp = new NlpService(new RedditSentimentScorer(loadSentimentModel(null)));
  let enriched: EnrichedEvent[] = [];
  steps.push(inProcess('nlp', events, () => (enriched = nlp.enrichBatch(decoded))));
  const posts = enriched.map(toPostRecord);

  const ns = testNamespace({});
  const config: AppConfig = ns.config;
  const session = new CassandraSession(config);
  const warehouse = new PgWarehouse(config);
  try {
    await session.onModuleInit();
    await warehouse.onModuleInit();
    const postStore = new CassandraPostStore(session, config);
    steps.push(
      await storeStep('cassandra posts', 'cassandra', posts, (c) => postStore.upsertPosts(c)),
    );
    steps.push(
      await storeStep('warehouse posts', 'postgres', posts, (c) => warehouse.loadPosts(c)),
    );
  } finally {
    await session.onApplicationShutdown().catch(() => undefined);
    await warehouse.onApplicationShutdown().catch(() => undefined);
    await dropNamespace(config);
  }

  const rows = [['step', 'events/s (wall)', 'CPU µs/event', 'where', `ceiling on ${cores} cores`]];
  let sum = 0;
  for (const step of steps) {
    const perEvent = totalCpu(step) / step.events;
    sum += perEvent;
    const where = [...step.cpu]
      .map(([who, s]) => `${who} ${formatInt((s / step.events) * 1e6)}`)
      .join(', ');
    rows.push([
      step.name,
      formatInt(step.events / step.wallSeconds),
      formatInt(perEvent * 1e6),
      where,
      `${formatInt(cores / perEvent)} ev/s`,
    ]);
  }
  rows.push(['all of the above', '', formatInt(sum * 1e6), '', `${formatInt(cores / sum)} ev/s`]);
  console.log(table(rows));
  console.log(
    '  (ceiling = cores / CPU per event: the rate at which that step alone would keep every core busy)',
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

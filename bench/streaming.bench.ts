/**
 * The consumer path end to end: Kafka -> the real server's consumer (decode,
 * NLP, event-time windows) -> Cassandra and PostgreSQL, with the server as a
 * child process (`node dist/main.js`, built first when dist/ is missing or
 * older than src/) on its own topics, consumer group, keyspace and schema.
 *
 *   scripts/stack.sh up && npm run bench:streaming -- [events] [latencyRate]
 *
 *   events       phase 1 input size (default 300000)
 *   latencyRate  phase 2 produce rate in events/s (default: half of phase 1's result)
 *   --duration=S        phase 2 measured seconds (default 60)
 *   --only=throughput|latency   run one phase (latency needs latencyRate)
 *   --server-dir=DIR    the server checkout to build and run (default: this repo), e.g.
 *                       a `git archive HEAD` copy with node_modules linked, to measure
 *                       the committed server while the working tree is mid-change
 *   --profile=realistic|long   the input (default realistic):
 *       realistic  recorded Reddit items (../shared/data/reddit/cassettes) resampled:
 *                  their real titles, bodies and JSON sizes (about 0.5 KB), 89% comments
 *       long       SyntheticRedditGenerator items padded to about 1.6 KB of JSON, for stress
 *   --subreddits=N      N subreddits with Zipf activity (realistic profile; default: the
 *                       50 of BENCH_SUBREDDITS, uniform), for the scaling table
 *   --windows=SPECS     the server's WINDOW_SPECS (default 1m,5m/1m)
 *   --flush=MS          the server's WINDOW_FLUSH_INTERVAL_MS (default 1000, the server's default)
 *   --posts=all|none|sample:F   which posts both stores keep (CASSANDRA_POSTS and
 *                       WAREHOUSE_POSTS; default all, as the server's default)
 *   --nlp-workers=N     the server's NLP_WORKERS (default: the server's default)
 *
 * Phase 1, sustained throughput. The whole input (50 subreddits, about 200
 * events per second of event time, like a replay) is produced to the events
 * topic before the server starts; the server then consumes it from the
 * beginning. events/s = events counted after the first /metrics sample that
 * shows consumption, divided by the time from that sample until the 1m window
 * rows in Cassandra add up to every event.
 *
 * Phase 2, latency at a fixed rate (fresh namespace and server). Events are
 * produced at the rate with event time = now. For two probe subreddits the
 * produce time of each event is recorded, and their 1m window rows are polled
 * every 50 ms. A subreddit lives on one partition and is processed in order,
 * so when a window's visible count reaches k, its first k events are visible:
 * latency = first poll that shows it - produce time.
 *
 * Both phases report the server's peak RSS (VmHWM, and VmRSS sampled every
 * 500 ms), the time per stage from reddit_batch_stage_seconds, and the CPU
 * used by the server, by this process (its producer costs a few tenths of a
 * core in phase 2) and by the whole machine. Kafka, Cassandra and PostgreSQL
 * share the same cores, so run it on an otherwise idle machine: the summary
 * flags a busy one from the load average.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Kafka } from 'kafkajs';
import { POSTS_POLICY } from '@app/common/posts-policy';
import { AppConfig, validateEnvironment } from '@app/config';
import { dropNamespace } from '../test/support/cleanup';
import { testNamespace } from '../test/support/environment';
import { BENCH_SUBREDDITS, type BenchEvent, BenchEventSource } from './support/bench-events';
import { RecordedEventSource } from './support/recorded-events';
import {
  benchKafka,
  createTopic,
  deleteTopics,
  EventProducer,
  partitionSizes,
} from './support/bench-kafka';
import {
  histogramByLabel,
  type HistogramTotals,
  parsePrometheusText,
  sumOf,
} from './support/prometheus-text';
import { CpuMeter, type CpuUsage, describeCpu } from './support/cpu-usage';
import { formatInt, liveRow, mib, percentile, table } from './support/report';
import { ServerGroup } from './support/server-group';
import { ensureServerBuild, freePort, ServerProcess } from './support/server-process';
import { utcDayOf, utcDaysBetween, WindowRowsReader } from './support/window-rows';

const PARTITIONS = 6;
const PRODUCE_BATCH = 1000;
const MEAN_JSON_BYTES = 1600;
/** Phase 1 event-time density: events per second of event time. */
const EVENT_TIME_DENSITY = 200;
const WINDOW_SPEC = '1m';
const PROBE_SUBREDDITS = ['askreddit', 'dataengineering'];
const STREAM_ID = 'bench-streaming';
/** Give up when neither the consumed counter nor the visible count moved for this long. */
const STALL_MS = 90_000;
const DRAIN_TIMEOUT_MS = 30_000;
/**
 * Phase 2 sends what is due every 50 ms: few enough requests to keep the
 * benchmark's own CPU use small (kafkajs costs about a millisecond per
 * request), and each event's produce time is taken when its send starts, so
 * the batching does not show up as latency.
 */
const SEND_INTERVAL_MS = 50;
const MAX_SEND = 2000;
/** Phase 2 measures once the consumer is within this many seconds of input, or after the longest warm-up. */
const CAUGHT_UP_SECONDS = 2;
const MIN_WARM_UP_MS = 10_000;
const MAX_WARM_UP_MS = 60_000;

/** Issue 16's figures, for the realistic profile on a 2-core machine with every service on it. */
const TARGETS = { eventsPerSecond: 8_000, p99Ms: 1_000, peakRssMiB: 512, serverMicrosPerEvent: 60 };

interface Options {
  readonly events: number;
  readonly latencyRate: number | null;
  readonly durationS: number;
  readonly only: 'throughput' | 'latency' | null;
  readonly serverDir: string;
  readonly profile: Profile;
  readonly posts: string;
  readonly subreddits: readonly string[];
  readonly zipf: boolean;
  readonly windowSpecs: string;
  readonly flushMs: number;
  readonly nlpWorkers: number | null;
  /** Server processes in one consumer group (--servers). */
  readonly servers: number;
}

/** The subreddits of a run: the 50 real ones first, then made-up names. */
function subredditsFor(count: number): string[] {
  const names = BENCH_SUBREDDITS.slice(0, count);
  for (let i = names.length; i < count; i++) names.push(`bench_sub_${i}`);
  return names;
}

type Profile = 'realistic' | 'long';

interface EventSource {
  next(ingestedAtMs: number, eventTimeMs?: number): BenchEvent;
}

/** The benchmark's input for a profile (see the header). */
function eventSource(
  options: Options,
  seed: number,
  startTimeMs: number,
  eventIntervalMs: number,
): EventSource {
  const profile = options.profile;
  const common = {
    seed,
    subreddits: options.subreddits,
    startTimeMs,
    eventIntervalMs,
    streamId: STREAM_ID,
  };
  return profile === 'realistic'
    ? new RecordedEventSource({ ...common, activity: options.zipf ? 'zipf' : 'uniform' })
    : new BenchEventSource({ ...common, meanJsonBytes: MEAN_JSON_BYTES });
}

function describeProfile(profile: Profile): string {
  return profile === 'realistic'
    ? new RecordedEventSource({
        seed: 1,
        subreddits: ['x'],
        startTimeMs: 0,
        eventIntervalMs: 0,
        streamId: 'x',
      }).describe()
    : `synthetic items padded to ~${MEAN_JSON_BYTES} B of JSON on average`;
}

function parseOptions(argv: readonly string[]): Options {
  const positional = argv.filter((a) => !a.startsWith('--'));
  const unknown = argv.filter(
    (a) =>
      a.startsWith('--') &&
      !/^--(duration|only|server-dir|profile|posts|subreddits|windows|flush|nlp-workers|servers)=./.test(
        a,
      ),
  );
  if (unknown.length > 0) throw new Error(`unknown option(s): ${unknown.join(' ')}`);
  if (positional.length > 2) throw new Error('usage: [events] [latencyRate] [--options]');
  const flag = (name: string) =>
    argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const positiveInt = (text: string | undefined, what: string, fallback: number | null) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`${what} must be a positive integer`);
    return value;
  };
  const profile = flag('profile') ?? 'realistic';
  if (profile !== 'realistic' && profile !== 'long')
    throw new Error('--profile must be realistic or long');
  const posts = flag('posts') ?? 'all';
  if (!POSTS_POLICY.test(posts)) throw new Error('--posts must be all, none or sample:<fraction>');
  const only = flag('only');
  if (only !== undefined && only !== 'throughput' && only !== 'latency') {
    throw new Error('--only must be throughput or latency');
  }
  const options: Options = {
    events: positiveInt(positional[0], 'events', 300_000) ?? 300_000,
    latencyRate: positiveInt(positional[1], 'latencyRate', null),
    durationS: positiveInt(flag('duration'), '--duration', 60) ?? 60,
    only: only ?? null,
    serverDir: resolve(flag('server-dir') ?? join(__dirname, '..')),
    profile,
    posts,
    subreddits: subredditsFor(
      positiveInt(flag('subreddits'), '--subreddits', BENCH_SUBREDDITS.length) ??
        BENCH_SUBREDDITS.length,
    ),
    zipf: flag('subreddits') !== undefined,
    windowSpecs: flag('windows') ?? '1m,5m/1m',
    flushMs: positiveInt(flag('flush'), '--flush', 1000) ?? 1000,
    servers: positiveInt(flag('servers'), '--servers', 1) ?? 1,
    nlpWorkers:
      flag('nlp-workers') === undefined ? null : Number.parseInt(flag('nlp-workers') ?? '', 10),
  };
  if (options.nlpWorkers !== null && !(options.nlpWorkers >= 0 && options.nlpWorkers <= 32))
    throw new Error('--nlp-workers must be an integer from 0 to 32');
  if (!options.windowSpecs.split(',').includes(WINDOW_SPEC))
    throw new Error(`--windows must include ${WINDOW_SPEC} (the spec the benchmark reads)`);
  if (options.zipf && options.profile !== 'realistic')
    throw new Error('--subreddits needs the realistic profile');
  if (options.only === 'latency' && options.latencyRate === null) {
    throw new Error('--only=latency needs the latencyRate argument');
  }
  return options;
}

function commandLine(): string {
  const args = process.argv.slice(2).join(' ');
  return process.env.npm_lifecycle_event === 'bench:streaming'
    ? `npm run bench:streaming${args ? ` -- ${args}` : ''}`
    : `npx ts-node -r tsconfig-paths/register --transpile-only bench/streaming.bench.ts ${args}`.trimEnd();
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------
// One namespace per phase: topics, group, keyspace, schema, server, cleanup.

interface PhaseContext {
  readonly config: AppConfig;
  readonly kafka: Kafka;
  readonly topic: string;
  startServer(): Promise<ServerGroup>;
}

const liveServers = new Set<ServerProcess>();
const pendingCleanups = new Set<() => Promise<void>>();

process.once('SIGINT', () => {
  console.error('\ninterrupted: killing the server and dropping the namespaces');
  for (const server of liveServers) server.kill();
  void Promise.allSettled([...pendingCleanups].map((cleanup) => cleanup())).finally(() =>
    process.exit(130),
  );
});

async function withPhase<T>(
  label: string,
  options: Options,
  logDir: string,
  run: (ctx: PhaseContext) => Promise<T>,
): Promise<T> {
  const ns = testNamespace({
    KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
    LOG_LEVEL: 'warn',
    WINDOW_SPECS: options.windowSpecs,
    WINDOW_FLUSH_INTERVAL_MS: String(options.flushMs),
    // Set only when asked: servers from before the setting would refuse it.
    ...(options.posts !== 'all'
      ? { CASSANDRA_POSTS: options.posts, WAREHOUSE_POSTS: options.posts }
      : {}),
    ...(options.nlpWorkers !== null ? { NLP_WORKERS: String(options.nlpWorkers) } : {}),
  });
  // The late-events topic is named after the namespace id (testNamespace sets
  // the same name on newer trees). The config is rebuilt with it, so that
  // dropNamespace drops this topic and never the shared default one.
  const lateEventsTopic = `test-${ns.id}.late-events`;
  const serverEnv = { ...ns.env, KAFKA_LATE_EVENTS_TOPIC: lateEventsTopic };
  const config = AppConfig.fromEnvironment(validateEnvironment(serverEnv));
  const env: Record<string, string> = {
    ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
    ...serverEnv,
  };
  const kafka = benchKafka(config.kafka.brokers);
  console.log(
    `  namespace ${ns.id}: topic ${config.kafka.topics.events}, keyspace ${config.cassandra.keyspace}`,
  );
  const started: ServerProcess[] = [];
  const cleanup = async () => {
    await Promise.all(
      started.map(async (server) => {
        await server.stop();
        liveServers.delete(server);
      }),
    );
    await dropNamespace(config);
    await deleteTopics(kafka, [lateEventsTopic]).catch(() => undefined);
  };
  pendingCleanups.add(cleanup);
  const ctx: PhaseContext = {
    config,
    kafka,
    topic: config.kafka.topics.events,
    // --servers=N: N processes with the same environment, so one consumer group shares the
    // partitions (and the stores) between them, as a deployment of N instances would.
    startServer: () =>
      ServerGroup.start(options.servers, async (index) => {
        const port = await freePort();
        const server = ServerProcess.start(
          options.serverDir,
          env,
          port,
          join(logDir, `${label}-server${options.servers > 1 ? `-${index + 1}` : ''}.log`),
        );
        started.push(server);
        liveServers.add(server);
        await server.waitUntilReady();
        return server;
      }),
  };
  try {
    return await run(ctx);
  } catch (error) {
    for (const server of started)
      console.error(`server log (${server.logPath}), last lines:\n${server.logTail()}`);
    throw error;
  } finally {
    pendingCleanups.delete(cleanup);
    await cleanup();
  }
}

/** Starts the phase's server and connects to the window rows it writes. */
async function startServerAndReader(
  ctx: PhaseContext,
): Promise<{ server: ServerGroup; reader: WindowRowsReader; bootStarted: number }> {
  const bootStarted = Date.now();
  const server = await ctx.startServer();
  console.log(
    `  server pid ${server.pids.join(', ')} ready in ${seconds(Date.now() - bootStarted)}`,
  );
  const reader = new WindowRowsReader(
    ctx.config.cassandra.contactPoints,
    ctx.config.cassandra.localDataCenter,
    ctx.config.cassandra.keyspace,
  );
  await reader.connect();
  return { server, reader, bootStarted };
}

// ---------------------------------------------------------------------------
// Server-side figures shared by both phases.

interface ServerFigures {
  /** The largest peak RSS of any one server process. */
  readonly peakRssBytes: number;
  readonly peakRssEach: readonly number[];
  readonly maxSampledRssBytes: number;
  readonly stages: Map<string, HistogramTotals>;
  /** Each output of a flush (they run concurrently within the `outputs` stage). */
  readonly outputs: Map<string, HistogramTotals>;
  readonly deadLettered: number;
  /** Too late for any window: sent to the late-events topic, never counted (newer servers). */
  readonly late: number;
  /** Redelivered fullnames the server counted once (newer servers). */
  readonly duplicates: number;
  readonly consumed: number;
}

async function serverFigures(server: ServerGroup): Promise<ServerFigures> {
  const samples = parsePrometheusText(await server.metricsText());
  const { peakRssBytes } = server.memory();
  return {
    peakRssBytes,
    peakRssEach: server.peakRssEach(),
    maxSampledRssBytes: server.maxSampledRssBytes(),
    stages: histogramByLabel(samples, 'reddit_batch_stage_seconds', 'stage'),
    outputs: histogramByLabel(samples, 'reddit_flush_output_seconds', 'output'),
    deadLettered: sumOf(samples, 'reddit_events_dead_lettered_total'),
    late: sumOf(samples, 'reddit_events_late_total'),
    duplicates: sumOf(samples, 'reddit_events_duplicate_total'),
    consumed: sumOf(samples, 'reddit_events_consumed_total'),
  };
}

function printServerFigures(figures: ServerFigures): void {
  console.log(
    `  server memory: peak RSS (VmHWM) ${mib(figures.peakRssBytes)}` +
      (figures.peakRssEach.length > 1
        ? ` (each process: ${figures.peakRssEach.map(mib).join(', ')})`
        : '') +
      `, max sampled VmRSS ${mib(figures.maxSampledRssBytes)}`,
  );
  console.log(`  server counted ${formatInt(figures.consumed)} events consumed`);
  if (figures.deadLettered > 0) {
    console.log(`  !! ${formatInt(figures.deadLettered)} message(s) dead-lettered by the server`);
  }
  if (figures.late > 0) {
    console.log(`  !! ${formatInt(figures.late)} event(s) too late for any window`);
  }
  if (figures.duplicates > 0) {
    console.log(`  ${formatInt(figures.duplicates)} redelivered event(s) counted once`);
  }
  const total = [...figures.stages.values()].reduce((sum, s) => sum + s.sumSeconds, 0);
  if (figures.stages.size === 0) {
    console.log('  no reddit_batch_stage_seconds series on /metrics');
    return;
  }
  console.log(
    '  time per stage (reddit_batch_stage_seconds, summed over batches; partitions are ' +
      'processed concurrently, so the total can exceed the wall time):',
  );
  console.log(
    table([
      ['stage', 'seconds', 'share', 'observations', 'ms each'],
      ...[...figures.stages.entries()].map(([stage, s]) => [
        stage,
        s.sumSeconds.toFixed(2),
        `${total > 0 ? ((100 * s.sumSeconds) / total).toFixed(1) : '0.0'}%`,
        formatInt(s.count),
        s.count > 0 ? ((1000 * s.sumSeconds) / s.count).toFixed(1) : 'n/a',
      ]),
      ['total', total.toFixed(2), '100.0%', '', ''],
    ]),
  );
  if (figures.outputs.size === 0) return;
  console.log('  outputs of the flushes (concurrent within the outputs stage):');
  console.log(
    table([
      ['output', 'seconds', 'writes', 'ms each'],
      ...[...figures.outputs.entries()].map(([output, s]) => [
        output,
        s.sumSeconds.toFixed(2),
        formatInt(s.count),
        s.count > 0 ? ((1000 * s.sumSeconds) / s.count).toFixed(1) : 'n/a',
      ]),
    ]),
  );
}

// ---------------------------------------------------------------------------
// Phase 1: sustained events/s from a pre-produced backlog.

interface ThroughputResult {
  readonly eventsPerSecond: number;
  readonly complete: boolean;
  readonly figures: ServerFigures;
  readonly cpu: CpuUsage | null;
}

interface SizeStats {
  count: number;
  bytes: number;
}

async function produceBacklog(
  ctx: PhaseContext,
  events: number,
  options: Options,
): Promise<number> {
  const startTimeMs = Math.floor((Date.now() - 86_400_000) / 60_000) * 60_000;
  const source = eventSource(options, 20240601, startTimeMs, 1000 / EVENT_TIME_DENSITY);
  const sizes: Record<'comment' | 'selfPost' | 'linkPost', SizeStats> = {
    comment: { count: 0, bytes: 0 },
    selfPost: { count: 0, bytes: 0 },
    linkPost: { count: 0, bytes: 0 },
  };
  const producer = new EventProducer(ctx.kafka, ctx.topic);
  await producer.connect();
  const started = Date.now();
  let lastReport = started;
  try {
    for (let sent = 0; sent < events;) {
      const batch: BenchEvent[] = [];
      const n = Math.min(PRODUCE_BATCH, events - sent);
      const now = Date.now();
      for (let i = 0; i < n; i++) {
        const item = source.next(now);
        const bucket =
          item.event.kind === 'comment'
            ? sizes.comment
            : item.event.bodyState === 'empty'
              ? sizes.linkPost
              : sizes.selfPost;
        bucket.count++;
        bucket.bytes += Buffer.byteLength(item.json);
        batch.push(item);
      }
      await producer.send(batch);
      sent += n;
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        console.log(`  produced ${formatInt(sent)} / ${formatInt(events)}`);
      }
    }
  } finally {
    await producer.disconnect();
  }
  const ms = Date.now() - started;
  const all = sizes.comment.bytes + sizes.selfPost.bytes + sizes.linkPost.bytes;
  const avg = (s: SizeStats) => (s.count > 0 ? `${formatInt(s.bytes / s.count)} B` : 'n/a');
  console.log(
    `  produced ${formatInt(events)} events, ${mib(all)} of JSON, in ${seconds(ms)} ` +
      `(${formatInt((events / ms) * 1000)} ev/s)`,
  );
  console.log(
    `  average JSON: comments ${avg(sizes.comment)} (${formatInt(sizes.comment.count)}), ` +
      `self posts ${avg(sizes.selfPost)} (${formatInt(sizes.selfPost.count)}), ` +
      `link posts ${avg(sizes.linkPost)} (${formatInt(sizes.linkPost.count)}), ` +
      `all ${formatInt(all / events)} B`,
  );
  const endTimeMs = startTimeMs + (events * 1000) / EVENT_TIME_DENSITY;
  console.log(
    `  event time ${new Date(startTimeMs).toISOString()} .. ${new Date(endTimeMs).toISOString()} ` +
      `(${seconds(endTimeMs - startTimeMs)} at ${EVENT_TIME_DENSITY} ev/s)`,
  );
  const perPartition = await partitionSizes(ctx.kafka, ctx.topic);
  const onTopic = perPartition.reduce((sum, n) => sum + n, 0);
  if (onTopic !== events)
    throw new Error(`expected ${events} messages on the topic, found ${onTopic}`);
  console.log(`  messages per partition: ${perPartition.map(formatInt).join(', ')}`);
  return startTimeMs;
}

async function throughputPhase(options: Options, logDir: string): Promise<ThroughputResult> {
  const N = options.events;
  console.log(`\n== Phase 1: sustained throughput, ${formatInt(N)} events pre-produced ==`);
  return withPhase('throughput', options, logDir, async (ctx) => {
    await createTopic(ctx.kafka, ctx.topic, PARTITIONS);
    const startTimeMs = await produceBacklog(ctx, N, options);
    const days = utcDaysBetween(startTimeMs, startTimeMs + (N * 1000) / EVENT_TIME_DENSITY);

    const { server, reader, bootStarted } = await startServerAndReader(ctx);
    try {
      let first: { atMs: number; consumed: number } | null = null;
      let meter: CpuMeter | null = null;
      let consumedAllAt: number | null = null;
      let doneAt: number | null = null;
      let consumed = 0;
      let visible = 0;
      let lastVisiblePollAt = 0;
      let lastProgressAt = Date.now();
      let row = { atMs: 0, consumed: 0, visible: 0 };
      /** consumed events/s of each progress row (the last one may cover a shorter interval). */
      const intervalRates: number[] = [];
      const header = ['t', 'consumed', 'consumed/s', 'visible', 'visible/s', 'RSS'];
      const emitRow = (atMs: number, f: { atMs: number }) => {
        const dt = (atMs - row.atMs) / 1000;
        intervalRates.push((consumed - row.consumed) / dt);
        const cells = [
          seconds(atMs - f.atMs),
          formatInt(consumed),
          formatInt((consumed - row.consumed) / dt),
          formatInt(visible),
          formatInt((visible - row.visible) / dt),
          mib(server.memory().rssBytes),
        ];
        console.log(liveRow(header, cells));
        row = { atMs, consumed, visible };
      };

      for (;;) {
        server.assertRunning();
        const now = Date.now();
        const next = sumOf(
          parsePrometheusText(await server.metricsText()),
          'reddit_events_consumed_total',
        );
        if (next !== consumed) lastProgressAt = now;
        consumed = next;
        if (!first && consumed > 0) {
          first = { atMs: now, consumed };
          meter = CpuMeter.start(server.pids);
          row = { atMs: now, consumed, visible };
          console.log(
            `  first consumption seen ${seconds(now - bootStarted)} after start ` +
              `(${formatInt(consumed)} events counted by then); per-5 s progress:`,
          );
          console.log(liveRow(header));
        }
        if (consumedAllAt === null && consumed >= N) consumedAllAt = now;
        const pollEvery = consumed >= N ? 100 : 1000;
        if (first && Date.now() - lastVisiblePollAt >= pollEvery) {
          lastVisiblePollAt = Date.now();
          const counted = await reader.totalEvents(options.subreddits, WINDOW_SPEC, days);
          const at = Date.now();
          if (counted !== visible) lastProgressAt = at;
          visible = counted;
          if (visible >= N) {
            doneAt = at;
            emitRow(at, first);
            break;
          }
        }
        if (first && now - row.atMs >= 5000) emitRow(now, first);
        if (!first && now - bootStarted > 120_000) {
          throw new Error('the server consumed nothing within 120 s of starting');
        }
        if (Date.now() - lastProgressAt > STALL_MS) {
          console.log(
            `  !! no progress for ${seconds(STALL_MS)}: consumed ${formatInt(consumed)}, ` +
              `visible ${formatInt(visible)} of ${formatInt(N)}`,
          );
          break;
        }
        await sleep(first ? 250 : 100);
      }

      const cpu = meter?.stop() ?? null;
      // Let the counter (and the stage histogram) catch up with the last batches' writes.
      const settleDeadline = Date.now() + 10_000;
      while (doneAt !== null && consumed < N && Date.now() < settleDeadline) {
        await sleep(100);
        consumed = sumOf(
          parsePrometheusText(await server.metricsText()),
          'reddit_events_consumed_total',
        );
      }
      const figures = await serverFigures(server);
      let eventsPerSecond = Number.NaN;
      if (first && doneAt !== null) {
        eventsPerSecond = ((N - first.consumed) * 1000) / (doneAt - first.atMs);
        // The counter moves after a batch's writes, so rows can be complete before it is.
        const counterNote =
          consumedAllAt === null
            ? 'rows were complete before the consumed counter reached the total'
            : `consumed counter alone: ${formatInt(((N - first.consumed) * 1000) / (consumedAllAt - first.atMs))} ev/s`;
        const full = intervalRates.slice(0, -1);
        console.log(
          `  all ${formatInt(N)} events visible in window rows ${seconds(doneAt - first.atMs)} ` +
            `after the first consumption: ${formatInt(eventsPerSecond)} ev/s ` +
            `(${counterNote})`,
        );
        if (full.length > 0) {
          console.log(
            `  full 5 s intervals: min ${formatInt(Math.min(...full))}, ` +
              `max ${formatInt(Math.max(...full))} consumed ev/s`,
          );
        }
        if (visible > N) {
          console.log(`  !! window rows count ${formatInt(visible)} events: over-counted`);
        }
      }
      if (cpu) console.log(`  CPU while consuming: ${describeCpu(cpu)}`);
      printServerFigures(figures);
      return { eventsPerSecond, complete: doneAt !== null, figures, cpu };
    } finally {
      await reader.shutdown();
    }
  });
}

// ---------------------------------------------------------------------------
// Phase 2: visibility latency at a fixed produce rate.

interface LatencyResult {
  readonly rate: number;
  readonly achievedRate: number;
  readonly latenciesMs: number[];
  readonly measuredProbeEvents: number;
  readonly overCounted: number;
  /** Events produced but not yet consumed when measuring began (0 when caught up). */
  readonly lagAtStart: number;
  readonly figures: ServerFigures;
  readonly cpu: CpuUsage;
}

interface ProbeWindow {
  readonly produceTimesMs: number[];
  readonly measured: boolean[];
  seen: number;
}

async function latencyPhase(
  options: Options,
  rate: number,
  logDir: string,
): Promise<LatencyResult> {
  console.log(
    `\n== Phase 2: latency at ${formatInt(rate)} ev/s for ${options.durationS} s, ` +
      `probes ${PROBE_SUBREDDITS.join(', ')} ==`,
  );
  return withPhase('latency', options, logDir, async (ctx) => {
    await createTopic(ctx.kafka, ctx.topic, PARTITIONS);
    const { server, reader } = await startServerAndReader(ctx);
    const producer = new EventProducer(ctx.kafka, ctx.topic);
    await producer.connect();

    const source = eventSource(options, 777, Date.now(), 0);
    const probes = new Set(PROBE_SUBREDDITS);
    const windows = new Map<string, ProbeWindow>();
    const latenciesMs: number[] = [];
    // Shared by the producing and polling loops; an object so no narrowing outlives an await.
    const run: {
      state: 'warm-up' | 'measure' | 'drain' | 'done';
      failure: Error | null;
    } = { state: 'warm-up', failure: null };
    const stopWith = (error: unknown) => {
      run.failure = error instanceof Error ? error : new Error(String(error));
      run.state = 'done';
    };
    const throwIfFailed = () => {
      if (run.failure) throw run.failure;
    };
    let produced = 0;
    let measuredProbeEvents = 0;
    let overCounted = 0;

    const producing = (async () => {
      const t0 = Date.now();
      let nextSendAt = t0;
      while (run.state !== 'done') {
        await sleep(Math.max(0, nextSendAt - Date.now()));
        const now = Date.now();
        nextSendAt = now + SEND_INTERVAL_MS;
        const due = Math.min(MAX_SEND, Math.floor(((now - t0) * rate) / 1000) - produced);
        if (due <= 0) continue;
        const batch: BenchEvent[] = [];
        for (let i = 0; i < due; i++) {
          const item = source.next(now, now);
          batch.push(item);
          if (!probes.has(item.event.subreddit)) continue;
          const start = Math.floor(now / 60_000) * 60_000;
          const key = `${item.event.subreddit}|${start}`;
          const w = windows.get(key) ?? { produceTimesMs: [], measured: [], seen: 0 };
          windows.set(key, w);
          w.produceTimesMs.push(now);
          w.measured.push(run.state === 'measure');
          if (run.state === 'measure') measuredProbeEvents++;
        }
        await producer.send(batch);
        produced += due;
      }
    })().catch(stopWith);

    const firstWindowMs = Math.floor(Date.now() / 60_000) * 60_000;
    const polling = (async () => {
      while (run.state !== 'done') {
        const started = Date.now();
        const days = [...new Set([utcDayOf(firstWindowMs), utcDayOf(started)])];
        const rows = await reader.windows(PROBE_SUBREDDITS, WINDOW_SPEC, days, firstWindowMs);
        const at = Date.now();
        for (const row of rows) {
          const w = windows.get(`${row.subreddit}|${row.windowStartMs}`);
          const produceTimes = w?.produceTimesMs ?? [];
          if (row.events > produceTimes.length) overCounted++;
          if (!w) continue;
          const upTo = Math.min(row.events, produceTimes.length);
          for (let k = w.seen; k < upTo; k++) {
            if (w.measured[k]) latenciesMs.push(at - (produceTimes[k] ?? at));
          }
          w.seen = Math.max(w.seen, upTo);
        }
        await sleep(Math.max(0, 50 - (Date.now() - started)));
      }
    })().catch(stopWith);

    const consumedNow = async () =>
      sumOf(parsePrometheusText(await server.metricsText()), 'reddit_events_consumed_total');
    const header = [
      't',
      'phase',
      'produced/s',
      'consumed/s',
      'lag',
      'p99 so far',
      'p99 here',
      'RSS',
    ];
    let row = { atMs: Date.now(), produced: 0, consumed: 0, latencies: 0 };
    const phaseStarted = Date.now();
    const progress = async () => {
      const consumed = await consumedNow();
      const now = Date.now();
      if (now - row.atMs >= 5000) {
        const dt = (now - row.atMs) / 1000;
        const p99 = (values: number[]) =>
          values.length > 0
            ? `${formatInt(
                percentile(
                  [...values].sort((a, b) => a - b),
                  99,
                ),
              )} ms`
            : '-';
        const cells = [
          seconds(now - phaseStarted),
          run.state,
          formatInt((produced - row.produced) / dt),
          formatInt((consumed - row.consumed) / dt),
          formatInt(produced - consumed),
          p99(latenciesMs),
          // Probe events that became visible since the previous row.
          p99(latenciesMs.slice(row.latencies)),
          mib(server.memory().rssBytes),
        ];
        console.log(liveRow(header, cells));
        row = { atMs: now, produced, consumed, latencies: latenciesMs.length };
      }
      return consumed;
    };

    try {
      console.log(liveRow(header));
      // Warm-up: until the consumer has joined and caught up to within a couple of seconds of
      // input (the consumed counter moves once per batch, so it always trails a little).
      let lagAtStart = 0;
      for (;;) {
        server.assertRunning();
        throwIfFailed();
        const consumed = await progress();
        const lag = produced - consumed;
        const warmedUpMs = Date.now() - phaseStarted;
        if (consumed > 0 && lag <= rate * CAUGHT_UP_SECONDS && warmedUpMs >= MIN_WARM_UP_MS) break;
        if (warmedUpMs >= MAX_WARM_UP_MS) {
          lagAtStart = lag;
          console.log(
            `  !! the consumer has not caught up after ${seconds(MAX_WARM_UP_MS)} ` +
              `(${formatInt(lag)} events behind); measuring anyway`,
          );
          break;
        }
        await sleep(250);
      }
      run.state = 'measure';
      const meter = CpuMeter.start(server.pids);
      const measureStarted = Date.now();
      const producedBefore = produced;
      while (Date.now() - measureStarted < options.durationS * 1000) {
        server.assertRunning();
        throwIfFailed();
        await progress();
        await sleep(250);
      }
      const achievedRate = ((produced - producedBefore) * 1000) / (Date.now() - measureStarted);
      const cpu = meter.stop();
      run.state = 'drain';
      const drainStarted = Date.now();
      while (
        latenciesMs.length < measuredProbeEvents &&
        Date.now() - drainStarted < DRAIN_TIMEOUT_MS
      ) {
        server.assertRunning();
        throwIfFailed();
        await progress();
        await sleep(100);
      }
      run.state = 'done';
      await Promise.all([producing, polling]);
      throwIfFailed();

      const figures = await serverFigures(server);
      const sorted = [...latenciesMs].sort((a, b) => a - b);
      console.log(
        `  produced ${formatInt(achievedRate)} ev/s while measuring; ` +
          `${formatInt(measuredProbeEvents)} probe events measured, ` +
          `${formatInt(sorted.length)} seen in window rows`,
      );
      if (sorted.length > 0) {
        console.log(
          `  latency produce -> visible in Cassandra (1m windows, 50 ms polls): ` +
            `p50 ${formatInt(percentile(sorted, 50))} ms, p90 ${formatInt(percentile(sorted, 90))} ms, ` +
            `p99 ${formatInt(percentile(sorted, 99))} ms, max ${formatInt(sorted[sorted.length - 1] ?? Number.NaN)} ms`,
        );
      }
      if (sorted.length < measuredProbeEvents) {
        console.log(
          `  !! ${formatInt(measuredProbeEvents - sorted.length)} probe events never became ` +
            `visible within ${seconds(DRAIN_TIMEOUT_MS)} of the end`,
        );
      }
      if (overCounted > 0) {
        console.log(
          `  !! ${overCounted} poll(s) saw a window count above the events produced for it`,
        );
      }
      console.log(`  CPU while measuring: ${describeCpu(cpu)}`);
      printServerFigures(figures);
      return {
        rate,
        achievedRate,
        latenciesMs: sorted,
        measuredProbeEvents,
        overCounted,
        lagAtStart,
        figures,
        cpu,
      };
    } finally {
      run.state = 'done';
      await Promise.allSettled([producing, polling]);
      await Promise.allSettled([producer.disconnect(), reader.shutdown()]);
    }
  });
}

// ---------------------------------------------------------------------------

function verdict(ok: boolean | null): string {
  if (ok === null) return 'n/a';
  return ok ? 'PASS' : 'FAIL';
}

function printSummary(
  options: Options,
  loadBefore: number,
  throughput: ThroughputResult | null,
  latency: LatencyResult | null,
): void {
  const peakRss = Math.max(
    throughput?.figures.peakRssBytes ?? 0,
    latency?.figures.peakRssBytes ?? 0,
  );
  const p = (q: number) => (latency ? percentile(latency.latenciesMs, q) : Number.NaN);
  const eps = throughput?.eventsPerSecond ?? Number.NaN;
  const p99 = p(99);
  const rows: string[][] = [['figure', 'measured', 'target', 'result']];
  if (throughput) {
    rows.push([
      `sustained throughput (${formatInt(options.events)} events)`,
      `${formatInt(eps)} ev/s`,
      `>= ${formatInt(TARGETS.eventsPerSecond)} ev/s`,
      verdict(Number.isFinite(eps) && eps >= TARGETS.eventsPerSecond),
    ]);
    const cpu = throughput.cpu;
    if (cpu && Number.isFinite(eps) && eps > 0) {
      // CPU per event: cores busy over the phase divided by the event rate.
      const micros = (cores: number) => (cores * 1e6) / eps;
      const server = micros(cpu.serverCores);
      rows.push([
        'server CPU per event',
        `${formatInt(server)} µs`,
        `<= ${TARGETS.serverMicrosPerEvent} µs`,
        verdict(server <= TARGETS.serverMicrosPerEvent),
      ]);
      for (const [name, cores] of cpu.serviceCores)
        rows.push([`${name} CPU per event`, `${formatInt(micros(cores))} µs`, '', '']);
    }
  } else {
    rows.push([
      'sustained throughput',
      'not run',
      `>= ${formatInt(TARGETS.eventsPerSecond)} ev/s`,
      'n/a',
    ]);
  }
  const notes: string[] = [];
  if (latency) {
    const unseen = latency.measuredProbeEvents - latency.latenciesMs.length;
    rows.push(
      [`latency p50 at ${formatInt(latency.rate)} ev/s`, `${formatInt(p(50))} ms`, '', ''],
      [`latency p90`, `${formatInt(p(90))} ms`, '', ''],
      [
        `latency p99`,
        `${formatInt(p99)} ms`,
        `<= ${formatInt(TARGETS.p99Ms)} ms`,
        verdict(Number.isFinite(p99) && unseen === 0 && p99 <= TARGETS.p99Ms),
      ],
      [`latency max`, `${formatInt(p(100))} ms`, '', ''],
    );
    notes.push(
      `latency: ${formatInt(latency.latenciesMs.length)} probe events, produced at ` +
        `${formatInt(latency.achievedRate)} ev/s` +
        (unseen > 0 ? `; ${formatInt(unseen)} never became visible (counted as a FAIL)` : '') +
        (latency.lagAtStart > 0
          ? `; the consumer was ${formatInt(latency.lagAtStart)} events behind when measuring began`
          : ''),
    );
  } else {
    rows.push(['latency p99', 'not run', `<= ${formatInt(TARGETS.p99Ms)} ms`, 'n/a']);
  }
  rows.push([
    options.servers > 1 ? 'server peak RSS (VmHWM), largest process' : 'server peak RSS (VmHWM)',
    peakRss > 0 ? mib(peakRss) : 'not measured',
    `<= ${TARGETS.peakRssMiB} MiB`,
    verdict(peakRss > 0 ? peakRss <= TARGETS.peakRssMiB * 1024 * 1024 : null),
  ]);
  if (throughput?.cpu) notes.push(`CPU, phase 1: ${describeCpu(throughput.cpu)}`);
  if (latency) notes.push(`CPU, phase 2: ${describeCpu(latency.cpu)}`);
  notes.push(
    `load average before the run: ${loadBefore.toFixed(2)} on ${cpus().length} CPUs` +
      (loadBefore > 0.5 * cpus().length
        ? ' (the machine was busy: figures are lower than on an idle machine)'
        : ''),
  );
  console.log('\n== Summary ==');
  console.log(table(rows));
  for (const note of notes) console.log(`  ${note}`);
  console.log(`\n  command: ${commandLine()}`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const [loadBefore = 0] = loadavg();
  const logDir = mkdtempSync(join(tmpdir(), `streaming-bench-${randomBytes(2).toString('hex')}-`));
  console.log(
    `streaming benchmark: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, node ${process.version}`,
  );
  console.log(
    `  server ${options.serverDir} (dist ${ensureServerBuild(options.serverDir)}), ` +
      `server logs (LOG_LEVEL=warn) in ${logDir}, removed at the end when empty`,
  );
  console.log(
    `  ${options.subreddits.length} subreddits (${options.zipf ? 'Zipf' : 'uniform'} activity), ` +
      `${PARTITIONS} partitions, WINDOW_SPECS ${options.windowSpecs}, ` +
      `WINDOW_FLUSH_INTERVAL_MS ${options.flushMs}, ` +
      `NLP_WORKERS ${options.nlpWorkers ?? 'server default'}, ` +
      `${options.servers} server process${options.servers > 1 ? 'es' : ''}, ` +
      `windows ${WINDOW_SPEC} read from Cassandra`,
  );
  console.log(
    `  profile ${options.profile}: ${describeProfile(options.profile)}; posts kept: ${options.posts}`,
  );

  let throughput: ThroughputResult | null = null;
  let latency: LatencyResult | null = null;
  try {
    if (options.only !== 'latency') throughput = await throughputPhase(options, logDir);
    if (options.only !== 'throughput') {
      const rate =
        options.latencyRate ??
        (throughput && Number.isFinite(throughput.eventsPerSecond)
          ? Math.max(1, Math.round(throughput.eventsPerSecond / 2))
          : null);
      if (rate === null) {
        console.log('\n  phase 2 skipped: no sustained rate measured; pass latencyRate');
      } else {
        latency = await latencyPhase(options, rate, logDir);
      }
    }
  } finally {
    printSummary(options, loadBefore, throughput, latency);
    const logs = readdirSync(logDir).map((name) => join(logDir, name));
    if (logs.every((path) => statSync(path).size === 0)) {
      rmSync(logDir, { recursive: true, force: true });
    } else {
      console.log(`  server logs: ${logDir}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

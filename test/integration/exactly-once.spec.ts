import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client as CassandraClient } from 'cassandra-driver';
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { Client as PgClient } from 'pg';
import { dropNamespace } from '../support/cleanup';
import { eventually, testNamespace, type TestNamespace } from '../support/environment';
import { readTopic, topicSize } from '../support/kafka-topics';
import {
  type DisorderedInput,
  disorderedInput,
  partitionOf,
  toKafkaMessage,
} from '../support/disordered-input';
import {
  awaitWindowsEqual,
  expectedWindows,
  parseWindowSpecs,
  readCassandraWindows,
  readWarehouseWindows,
  scoredOnce,
  serverSentimentOf,
  type StoredWindowRow,
  type WindowRow,
} from '../support/offline-windows';
import { ServerProcess } from '../support/server-process';
import { TcpProxy } from '../support/tcp-proxy';
import { serverSentimentScorer } from '../support/sentiment-scorer';

jest.setTimeout(300_000);

/**
 * Exactly-once windows on the real stack, with the real server process: the
 * stored windows must equal the ones computed offline from the input (each
 * fullname once, too-late events left out) after a kill -9, after an instance
 * leaves the consumer group, and after a Cassandra outage. The input is
 * disordered (within the out-of-orderness), has redeliveries, and has a few
 * events too late to count, which must go to the late-events topic instead.
 */

const WINDOW_SPECS = '1m,5m/1m';
const STREAMING_ENV = {
  WINDOW_SPECS,
  WATERMARK_OUT_OF_ORDERNESS_MS: '10000',
  WINDOW_ALLOWED_LATENESS_MS: '60000',
  WATERMARK_IDLE_TIMEOUT_MS: '30000',
  WINDOW_FLUSH_INTERVAL_MS: '1000',
  KAFKA_TOPIC_PARTITIONS: '3',
};
const PARTITIONS = 3;
const EVENTS = 4000;
const ROOT = resolve(__dirname, '..', '..');

const specs = parseWindowSpecs(WINDOW_SPECS);
const sentimentOf = scoredOnce(serverSentimentOf(serverSentimentScorer()));

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const runFile = promisify(execFile);

async function stack(command: 'stop-service' | 'start-service', service: string): Promise<void> {
  try {
    await runFile('bash', ['scripts/stack.sh', command, service], { cwd: ROOT, timeout: 240_000 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`scripts/stack.sh ${command} ${service} failed:\n${stdout}\n${stderr}`);
  }
}

/**
 * A second Kafka cluster of three brokers for the broker-loss scenario, with
 * its own state directory and ports, so the one-broker cluster every other
 * test uses is never touched.
 */
const THREE_BROKERS = {
  STACK_DIR: join(ROOT, '.stack', 'three-brokers'),
  KAFKA_PORT: '19092',
  KAFKA_HEAP_OPTS: '-Xms256m -Xmx512m',
};
const THREE_BROKER_LIST = '127.0.0.1:19092,127.0.0.1:19094,127.0.0.1:19096';

async function threeBrokers(...args: string[]): Promise<void> {
  try {
    await runFile('bash', ['scripts/stack.sh', ...args], {
      cwd: ROOT,
      timeout: 300_000,
      env: { ...process.env, ...THREE_BROKERS },
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `scripts/stack.sh ${args.join(' ')} (three brokers) failed:\n${stdout}\n${stderr}`,
    );
  }
}

/** The warnings of a /health body (empty when it is not JSON). */
function healthWarnings(body: string): string[] {
  try {
    return (JSON.parse(body) as { warnings?: string[] }).warnings ?? [];
  } catch {
    return [];
  }
}

/** The fields of GET /api/streams/:id these scenarios read. */
interface StreamStatus {
  readonly state: string;
  readonly produced: { readonly total: number };
  readonly lastError: string | null;
  readonly lastErrorRecoveredAt: string | null;
}

interface HealthWatch {
  /** Every /health answer so far, one a second (status 0: no answer, with the error). */
  readonly polls: { status: number; body: string }[];
  /** Stops polling; resolves once the last poll is in. */
  stop(): Promise<void>;
}

/** Polls the server's /health once a second (and `onPoll` after each) until stopped. */
function watchHealth(server: ServerProcess, onPoll: () => void = () => undefined): HealthWatch {
  const polls: { status: number; body: string }[] = [];
  let watching = true;
  const loop = (async () => {
    while (watching) {
      polls.push(await server.get('/health').catch((e: Error) => ({ status: 0, body: e.message })));
      onPoll();
      await sleep(1_000);
    }
  })();
  return {
    polls,
    stop: async () => {
      watching = false;
      await loop;
    },
  };
}

/** How many writes of one flush output a server's /metrics counts (reddit_flush_output_seconds). */
function outputCount(metrics: string, output: string): number {
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith(`reddit_flush_output_seconds_count{output="${output}"}`));
  return line ? Number(line.split(/\s+/).pop()) : 0;
}

/** Fullnames anywhere in a message: the event itself, or an envelope holding it (as JSON or text). */
function fullnamesIn(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    if (/^\s*[[{]/.test(value)) {
      try {
        fullnamesIn(JSON.parse(value) as unknown, found);
      } catch {
        // Not JSON after all.
      }
    }
  } else if (Array.isArray(value)) {
    for (const item of value) fullnamesIn(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'fullname' && typeof item === 'string') found.add(item);
      else fullnamesIn(item, found);
    }
  }
  return found;
}

function cassandraClient(ns: TestNamespace): CassandraClient {
  return new CassandraClient({
    contactPoints: [...ns.config.cassandra.contactPoints],
    localDataCenter: ns.config.cassandra.localDataCenter,
  });
}

/** Resident set size of a process in MiB, from /proc (0 once it is gone). */
function rssMiB(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** A /health body whose consumption is paused with a reason matching `reason`. */
function pausedFor(body: string, reason: RegExp): boolean {
  try {
    const health = JSON.parse(body) as {
      streaming?: { state?: unknown; paused?: { reason?: unknown }[] };
    };
    return (
      health.streaming?.state === 'paused' &&
      (health.streaming.paused ?? []).some(
        (p) => typeof p.reason === 'string' && reason.test(p.reason),
      )
    );
  } catch {
    return false;
  }
}

/** The first paused partition's reason in a /health body. */
function firstReason(body: string): string {
  try {
    const health = JSON.parse(body) as { streaming?: { paused?: { reason?: string }[] } };
    return health.streaming?.paused?.[0]?.reason ?? '';
  } catch {
    return '';
  }
}

/** A /health body saying the server is degraded or its consumption paused. */
function reportsDegraded(body: string): boolean {
  try {
    const health = JSON.parse(body) as { status?: unknown; streaming?: { state?: unknown } };
    return health.status === 'degraded' || health.streaming?.state === 'paused';
  } catch {
    return false;
  }
}

/** One test's world: a namespace, its input, the servers, a producer and store readers. */
class Scenario {
  readonly servers: ServerProcess[] = [];
  /** How many input messages were produced so far. */
  produced = 0;
  /** Settings only the servers get (e.g. a proxied store address); the test's readers keep the real ones. */
  serverEnv: Record<string, string> = {};

  private constructor(
    readonly ns: TestNamespace,
    readonly input: DisorderedInput,
    private readonly admin: Admin,
    private readonly producer: Producer,
    private cassandra: CassandraClient | null,
    private readonly pg: PgClient,
  ) {}

  static async open(seed: number, env: Record<string, string> = {}): Promise<Scenario> {
    const ns = testNamespace({ ...STREAMING_ENV, ...env });
    const input = disorderedInput({ seed, events: EVENTS });
    const kafka = new Kafka({
      brokers: [...ns.config.kafka.brokers],
      logLevel: logLevel.NOTHING,
      // The test's own producer rides out a broker's death too: moving the
      // leaderships of a killed broker can take the cluster over 10 s on a
      // busy machine, longer than kafkajs retries by default.
      retry: { retries: 12, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
    const admin = kafka.admin();
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const cassandra = cassandraClient(ns);
    const pg = new PgClient({ connectionString: ns.config.warehouse.url });
    const scenario = new Scenario(ns, input, admin, producer, cassandra, pg);
    scenarios.push(scenario);
    await Promise.all([admin.connect(), producer.connect(), cassandra.connect(), pg.connect()]);
    return scenario;
  }

  /**
   * Closes this test's own Cassandra session for an outage: a session that
   * lives through one can leave a socket behind after shutdown, which keeps
   * Jest from exiting.
   */
  async closeCassandra(): Promise<void> {
    const client = this.cassandra;
    this.cassandra = null;
    await client?.shutdown();
  }

  async reopenCassandra(): Promise<void> {
    const client = cassandraClient(this.ns);
    await client.connect();
    this.cassandra = client;
  }

  private cassandraReader(): CassandraClient {
    if (!this.cassandra) throw new Error('the Cassandra session is closed (outage)');
    return this.cassandra;
  }

  server(name: string): ServerProcess {
    const server = new ServerProcess({ ...this.ns.env, ...this.serverEnv }, { name });
    this.servers.push(server);
    return server;
  }

  get total(): number {
    return this.input.messages.length;
  }

  /** The server creates the topics at boot; the input must reach all their partitions. */
  async waitForEventsTopic(): Promise<void> {
    const topic = this.ns.config.kafka.topics.events;
    const metadata = await eventually(
      () => this.admin.fetchTopicMetadata({ topics: [topic] }),
      (m) => (m.topics[0]?.partitions.length ?? 0) > 0,
      { what: `topic ${topic}` },
    );
    expect(metadata.topics[0]?.partitions).toHaveLength(PARTITIONS);
    const used = new Set(this.input.onTime.map((e) => partitionOf(e.subreddit, PARTITIONS)));
    expect(used.size).toBe(PARTITIONS);
  }

  /** Waits until the consumer group is stable with `members` members. */
  async waitForGroup(members: number): Promise<void> {
    const group = this.ns.config.kafka.consumerGroup;
    await eventually(
      async () => (await this.admin.describeGroups([group])).groups[0],
      (g) => g?.state === 'Stable' && g.members.length === members,
      { what: `consumer group ${group} stable with ${members} members`, timeoutMs: 90_000 },
    );
  }

  /**
   * Produces the input up to message `end` (exclusive), in order, in paced
   * chunks; stops early once `until` answers true (checked after each chunk).
   */
  async produceUntil(
    end: number,
    {
      chunk = 100,
      pauseMs = 100,
      until,
    }: { chunk?: number; pauseMs?: number; until?: () => Promise<boolean> } = {},
  ): Promise<void> {
    while (this.produced < end) {
      const next = Math.min(end, this.produced + chunk);
      await this.producer.send({
        topic: this.ns.config.kafka.topics.events,
        messages: this.input.messages.slice(this.produced, next).map(toKafkaMessage),
      });
      this.produced = next;
      if (until && (await until())) return;
      await sleep(pauseMs);
    }
  }

  /** The truth for the first `upTo` messages: each fullname once, too-late events excluded. */
  expected(upTo = this.produced): WindowRow[] {
    return expectedWindows(
      this.input.messages.slice(0, upTo).map((m) => m.event),
      specs,
      { sentimentOf, exclude: this.input.tooLateFullnames },
    );
  }

  /** Events counted in the stored 1-minute windows (0 while the table does not exist yet). */
  async countedInCassandra(): Promise<number> {
    try {
      const rows = await readCassandraWindows(
        this.cassandraReader(),
        this.ns.config.cassandra.keyspace,
      );
      return rows
        .filter((r) => r.windowSpec === '1m')
        .reduce((sum, r) => sum + r.submissions + r.comments, 0);
    } catch {
      return 0;
    }
  }

  /** The Cassandra session the test reads with. */
  cassandraRows(): CassandraClient {
    return this.cassandraReader();
  }

  warehouseWindows(): Promise<readonly StoredWindowRow[]> {
    return readWarehouseWindows(this.pg, this.ns.config.warehouse.schema);
  }

  /** Waits until the group has committed every partition's end offset (each is checkpointed first). */
  async waitForCommitted(timeoutMs: number): Promise<void> {
    const topic = this.ns.config.kafka.topics.events;
    const group = this.ns.config.kafka.consumerGroup;
    await eventually(
      async () => {
        const [ends, committed] = await Promise.all([
          this.admin.fetchTopicOffsets(topic),
          this.admin.fetchOffsets({ groupId: group, topics: [topic] }),
        ]);
        const at = new Map(committed[0]?.partitions.map((p) => [p.partition, p.offset]) ?? []);
        return ends.map((e) => ({
          partition: e.partition,
          end: e.high,
          committed: at.get(e.partition),
        }));
      },
      (rows) => rows.every((r) => r.committed === r.end),
      { what: `group ${group} to commit every end offset of ${topic}`, timeoutMs },
    );
  }

  /** Events counted in the warehouse's 1-minute windows (0 while the table does not exist yet). */
  async countedInWarehouse(): Promise<number> {
    try {
      const rows = await readWarehouseWindows(this.pg, this.ns.config.warehouse.schema);
      return rows
        .filter((r) => r.windowSpec === '1m')
        .reduce((sum, r) => sum + r.submissions + r.comments, 0);
    } catch {
      return 0;
    }
  }

  /** Both stores hold exactly the expected windows for everything produced so far, and keep them. */
  async expectStoresEqualTruth(what: string, timeoutMs = 120_000): Promise<void> {
    const expected = this.expected();
    const { keyspace } = this.ns.config.cassandra;
    const { schema } = this.ns.config.warehouse;
    await Promise.all([
      awaitWindowsEqual(() => readCassandraWindows(this.cassandraReader(), keyspace), expected, {
        what: `Cassandra, ${what}`,
        timeoutMs,
      }),
      awaitWindowsEqual(() => readWarehouseWindows(this.pg, schema), expected, {
        what: `warehouse, ${what}`,
        timeoutMs,
      }),
    ]);
  }

  /** Each post the input holds once in the warehouse's fact_posts (redeliveries included in the input). */
  async expectWarehousePosts(timeoutMs = 120_000): Promise<void> {
    const wanted = new Set(
      this.input.messages.slice(0, this.produced).map((m) => m.event.fullname),
    );
    const table = `${this.ns.config.warehouse.schema}.fact_posts`;
    const found = await eventually(
      async () =>
        (
          await this.pg.query<{ rows: string; distinct: string }>(
            `SELECT count(*) AS rows, count(DISTINCT fullname) AS distinct FROM ${table}`,
          )
        ).rows[0],
      (r) => Number(r?.distinct) >= wanted.size,
      { what: `${wanted.size} posts in ${table}`, timeoutMs },
    );
    expect({ rows: Number(found?.rows), distinct: Number(found?.distinct) }).toEqual({
      rows: wanted.size,
      distinct: wanted.size,
    });
  }

  /** Every too-late event is on the late-events topic (at least once), and nothing else is. */
  async expectLateEventsTopic(): Promise<void> {
    const messages = await readTopic(
      this.ns.config,
      this.ns.config.kafka.topics.lateEvents,
      this.input.tooLate.length,
      60_000,
    );
    const found = new Set(messages.flatMap((m) => [...fullnamesIn(m.value)]));
    expect([...this.input.tooLateFullnames].filter((f) => !found.has(f))).toEqual([]);
    const onTime = new Set(this.input.onTime.map((e) => e.fullname));
    expect([...found].filter((f) => onTime.has(f))).toEqual([]);
  }

  /** On failure, the consumer group's progress and the servers' output are what explain it. */
  async explain<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const logs = this.servers.map((s) => s.logs(8_000)).join('\n');
      const progress = await this.groupProgress().catch((e: Error) => `unknown (${e.message})`);
      if (error instanceof Error) {
        error.message += `\n\ncommitted/end offsets per partition: ${progress}\n\nserver output:\n${logs}`;
      }
      throw error;
    }
  }

  /** "p0 1400/1400, p1 ..." for the events topic: how far the consumer group committed. */
  private async groupProgress(): Promise<string> {
    const topic = this.ns.config.kafka.topics.events;
    const [ends, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      this.admin.fetchOffsets({ groupId: this.ns.config.kafka.consumerGroup, topics: [topic] }),
    ]);
    const done = new Map(committed[0]?.partitions.map((p) => [p.partition, p.offset]));
    return ends
      .sort((a, b) => a.partition - b.partition)
      .map((p) => `p${p.partition} ${done.get(p.partition) ?? '?'}/${p.high}`)
      .join(', ');
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.servers.map((s) => s.dispose()));
    await Promise.allSettled([
      this.producer.disconnect(),
      this.admin.disconnect(),
      this.closeCassandra(),
      this.pg.end(),
    ]);
    await dropNamespace(this.ns.config);
  }
}

const scenarios: Scenario[] = [];
let cassandraStopped = false;

// After each test, not all: a later outage must not hit an earlier test's open Cassandra session.
afterEach(async () => {
  try {
    // The namespaces' keyspaces can only be dropped with Cassandra up.
    if (cassandraStopped) await stack('start-service', 'cassandra');
    cassandraStopped = false;
  } finally {
    await Promise.allSettled(scenarios.splice(0).map((s) => s.close()));
  }
});

describe('exactly-once windows with the server as a process, on the real stack', () => {
  it('kill -9 mid-stream: after the restart every event counts exactly once', async () => {
    const s = await Scenario.open(101);
    const server = s.server('server');
    await s.explain(async () => {
      await server.start();
      await s.waitForEventsTopic();

      const killAt = Math.round(s.total * 0.4);
      const consumed = async () =>
        Math.max(
          await server.metric('reddit_events_consumed_total').catch(() => 0),
          await s.countedInCassandra(),
        );
      // Produce at most half, and stop the server hard while it is consuming.
      await s.produceUntil(Math.round(s.total * 0.5), {
        until: async () => (await consumed()) >= killAt,
      });
      await eventually(consumed, (n) => n >= killAt, { what: `${killAt} messages consumed` });
      const exit = await server.kill9();
      expect(exit.signal).toBe('SIGKILL');

      await server.start();
      // Replaying what was consumed but not checkpointed must not count anything twice.
      await s.expectStoresEqualTruth(`after the restart, the first ${s.produced} messages`);

      await s.produceUntil(s.total);
      await s.expectStoresEqualTruth('all the input');
      await s.expectLateEventsTopic();
      expect(server.running).toBe(true);
    });
  });

  it('two instances in one group: when one leaves mid-stream, the other takes over', async () => {
    const s = await Scenario.open(202);
    const a = s.server('A');
    const b = s.server('B');
    await s.explain(async () => {
      // One after the other: this test is about the group, not about two boots racing.
      await a.start();
      await b.start();
      await s.waitForEventsTopic();
      await s.waitForGroup(2);

      await s.produceUntil(Math.round(s.total * 0.4));
      // Both own partitions (every partition gets events), so both consume.
      await eventually(
        () =>
          Promise.all([
            a.metric('reddit_events_consumed_total'),
            b.metric('reddit_events_consumed_total'),
          ]),
        ([x, y]) => x > 0 && y > 0,
        { what: 'both instances consuming' },
      );

      // B leaves while the input keeps flowing.
      const rest = s.produceUntil(s.total);
      await sleep(1_000);
      const exit = await b.stopGracefully();
      await rest;
      // Nest re-raises the signal once its shutdown hooks ran, so a clean stop ends by SIGTERM.
      expect(exit.code === 0 || (exit.code === null && exit.signal === 'SIGTERM')).toBe(true);

      await s.expectStoresEqualTruth('all the input, after B left');
      await s.expectLateEventsTopic();
      expect(a.running).toBe(true);
    });
  });

  it('Cassandra outage: the server reports it, waits, and catches up exactly', async () => {
    const s = await Scenario.open(303);
    const server = s.server('server');
    await s.explain(async () => {
      await server.start();
      await s.waitForEventsTopic();

      await s.produceUntil(Math.round(s.total * 0.3));
      await s.expectStoresEqualTruth(`before the outage, the first ${s.produced} messages`);

      await s.closeCassandra();
      cassandraStopped = true;
      await stack('stop-service', 'cassandra');

      // Keep producing for about 30 s while Cassandra is down, watching /health.
      const outageEnd = Math.round(s.total * 0.7);
      const watch = watchHealth(server);
      await s.produceUntil(outageEnd, {
        chunk: Math.ceil((outageEnd - s.produced) / 30),
        pauseMs: 1_000,
      });
      await watch.stop();
      const health = watch.polls;

      const degraded = health.filter((h) => h.status === 503 || reportsDegraded(h.body));
      expect({ degraded: degraded.length > 0, seen: health.map((h) => h.status) }).toMatchObject({
        degraded: true,
      });
      expect(server.running).toBe(true);

      await stack('start-service', 'cassandra');
      cassandraStopped = false;
      await s.reopenCassandra();

      await s.produceUntil(s.total);
      await s.expectStoresEqualTruth('all the input, after the outage', 180_000);
      await s.expectLateEventsTopic();
      expect(server.running).toBe(true);
    });
  });
  it('a zombie server (SIGSTOP past the session timeout, then SIGCONT): no stored window goes back, not even for a moment', async () => {
    const s = await Scenario.open(707);
    // The zombie flushes and checkpoints every 45 s: when it stops, it holds
    // every event it took, unwritten, and when it resumes its flush is due.
    s.serverEnv = { WINDOW_FLUSH_INTERVAL_MS: '45000', STREAMING_CHECKPOINT_INTERVAL_MS: '45000' };
    const zombie = s.server('zombie');
    await s.explain(async () => {
      await zombie.start();
      await s.waitForEventsTopic();
      await s.waitForGroup(1);
      await s.produceUntil(Math.round(s.total * 0.4));
      const consumed = () => zombie.metric('reddit_events_consumed_total');
      let last = -1;
      await eventually(
        async () => {
          const previous = last;
          last = await consumed();
          return { previous, now: last };
        },
        ({ previous, now }) => now > 0 && now === previous,
        { what: 'the zombie to have taken the first part', intervalMs: 1_500 },
      );
      const written = async (server: ServerProcess) =>
        outputCount((await server.get('/metrics')).body, 'cassandra_windows');
      expect(await written(zombie)).toBe(0);
      zombie.signal('SIGSTOP');

      // Past the 30 s session timeout the owner takes every partition over, reads on from
      // the last checkpoint (none: from the start), and more input comes.
      s.serverEnv = {};
      const owner = s.server('owner');
      await owner.start();
      await s.produceUntil(s.total);
      await s.expectStoresEqualTruth('all the input, written by the new owner', 180_000);
      // Its checkpoint covers everything: a later move back to the zombie replays nothing.
      await s.waitForCommitted(180_000);

      // Resumed, the zombie finds its flush long due and writes what it held
      // (the first 40%) before its consumer hears of the rebalance.
      zombie.signal('SIGCONT');
      const { keyspace } = s.ns.config.cassandra;
      const expected = s.expected();
      await Promise.all([
        awaitWindowsEqual(() => readCassandraWindows(s.cassandraRows(), keyspace), expected, {
          what: 'Cassandra after the zombie resumed',
          intervalMs: 200,
          stableForMs: 30_000,
        }),
        awaitWindowsEqual(() => s.warehouseWindows(), expected, {
          what: 'the warehouse after the zombie resumed',
          intervalMs: 200,
          stableForMs: 30_000,
        }),
      ]);
      // It did write: the stores kept the new owner's rows by their versions.
      const zombieWrites = await written(zombie);
      expect(zombieWrites).toBeGreaterThan(0);
      expect(zombie.running).toBe(true);
      console.log(
        `zombie: ${s.total} messages in; the zombie held ${last} events unwritten when stopped, ` +
          `wrote window rows ${zombieWrites} time(s) after it resumed; both stores equal the truth ` +
          `in every read (200 ms apart) for 30 s after it resumed`,
      );
    });
  });

  it('warehouse down for 60 s: consumption pauses with the reason, memory stays bounded, every row arrives', async () => {
    const s = await Scenario.open(404);
    const warehouse = new URL(s.ns.config.warehouse.url);
    const proxy = await TcpProxy.start(warehouse.hostname, Number(warehouse.port || 5432));
    const proxied = new URL(warehouse.href);
    proxied.port = String(proxy.port);
    s.serverEnv = { WAREHOUSE_URL: proxied.href };
    const server = s.server('server');
    try {
      await s.explain(async () => {
        await server.start();
        await s.waitForEventsTopic();

        await s.produceUntil(Math.round(s.total * 0.3));
        await s.expectStoresEqualTruth(`before the outage, the first ${s.produced} messages`);
        const rssBefore = rssMiB(server.pid);

        // Connections reset, new ones refused, for 60 s while the input keeps coming.
        await proxy.refuse();
        const outageEnd = Math.round(s.total * 0.7);
        let peakRss = rssBefore;
        const watch = watchHealth(server, () => {
          peakRss = Math.max(peakRss, rssMiB(server.pid));
        });
        const outageStarted = Date.now();
        await s.produceUntil(outageEnd, {
          chunk: Math.ceil((outageEnd - s.produced) / 50),
          pauseMs: 1_000,
        });
        await sleep(Math.max(0, 60_000 - (Date.now() - outageStarted)));
        await watch.stop();
        const health = watch.polls;

        // Paused, saying why: the warehouse is down and the partitions wait for it.
        const paused = health.filter((h) =>
          pausedFor(h.body, /warehouse_(windows|posts|trends): /),
        );
        expect(paused.length).toBeGreaterThan(10);
        expect(paused.every((h) => h.status === 503)).toBe(true);
        // Consumption stops at the buffer bound rather than holding the outage's input in memory.
        expect(peakRss - rssBefore).toBeLessThan(150);
        expect(server.running).toBe(true);

        await proxy.restore();
        await s.produceUntil(s.total);
        await s.expectStoresEqualTruth('all the input, after the outage', 180_000);
        await s.expectWarehousePosts();
        await s.expectLateEventsTopic();
        const after = await server.get('/health');
        expect(after.status).toBe(200);
        const counted = await s.countedInCassandra();
        const onTime = s.input.onTime.length;
        console.log(
          `warehouse outage: ${s.total} messages in (${onTime} on-time events), ` +
            `${counted} counted in 1m windows (lost ${Math.max(0, onTime - counted)}, ` +
            `counted twice ${Math.max(0, counted - onTime)}); paused in ${paused.length} of ` +
            `${health.length} /health polls; RSS ${rssBefore.toFixed(0)} MiB before, ` +
            `${peakRss.toFixed(0)} MiB at most during the outage; first reason: ` +
            `${firstReason(paused[0]?.body ?? '')}`,
        );
      });
    } finally {
      await proxy.close();
    }
  });
});

/**
 * On a second, three-broker cluster (about a minute to start and stop):
 * brokers are killed here, and every other test keeps its one broker.
 */
describe('exactly-once windows on three Kafka brokers (replication 3, min.insync.replicas 2)', () => {
  beforeAll(() => threeBrokers('up', '--kafka-brokers', '3', '--only', 'kafka'), 300_000);
  afterAll(() => threeBrokers('down', '--only', 'kafka', '--wipe'), 300_000);

  it('a broker killed mid-stream and back a minute later: nothing lost or counted twice, /health warns meanwhile', async () => {
    const s = await Scenario.open(505, {
      KAFKA_BROKERS: THREE_BROKER_LIST,
      KAFKA_REPLICATION_FACTOR: '3',
    });
    const server = s.server('server');
    await s.explain(async () => {
      await server.start();
      await s.waitForEventsTopic();
      await s.produceUntil(Math.round(s.total * 0.3));
      await s.expectStoresEqualTruth(`before the broker dies, the first ${s.produced} messages`);

      const countedAtKill = await s.countedInCassandra();
      await threeBrokers('kill9-service', 'kafka-2');
      const killedAt = Date.now();
      const watch = watchHealth(server);
      // Ingest goes on through the two brokers left (acks from the in-sync replicas).
      const duringEnd = Math.round(s.total * 0.7);
      await s.produceUntil(duringEnd, {
        chunk: Math.ceil((duringEnd - s.produced) / 40),
        pauseMs: 1_000,
      });
      const consumedWhileDown = await s.countedInCassandra();
      await sleep(Math.max(0, 60_000 - (Date.now() - killedAt)));
      await watch.stop();
      const health = watch.polls;
      const warned = health.filter((h) =>
        healthWarnings(h.body).some((w) => /^kafka: .*under-replicated/.test(w)),
      );
      expect(warned.length).toBeGreaterThan(0);
      expect(server.running).toBe(true);
      // Consumption carried on while the broker was down.
      expect(consumedWhileDown).toBeGreaterThan(countedAtKill);

      await threeBrokers('start-service', 'kafka-2');
      await s.produceUntil(s.total);
      await s.expectStoresEqualTruth('all the input, after the broker came back', 180_000);
      await s.expectLateEventsTopic();
      await eventually(
        () => server.get('/health'),
        (h) => h.status === 200 && !healthWarnings(h.body).some((w) => w.startsWith('kafka:')),
        { what: 'the under-replication warning to clear', timeoutMs: 120_000 },
      );
      const counted = await s.countedInCassandra();
      const onTime = s.input.onTime.length;
      console.log(
        `broker loss: ${s.total} messages in (${onTime} on-time events), ${counted} counted in ` +
          `1m windows (lost ${Math.max(0, onTime - counted)}, counted twice ` +
          `${Math.max(0, counted - onTime)}); ${consumedWhileDown} counted while the broker was ` +
          `down; warned in ${warned.length} of ${health.length} /health polls`,
      );
    });
  });

  it('two of three brokers down: the stream stops producing and says why, loses nothing, and resumes when one returns', async () => {
    const s = await Scenario.open(606, {
      KAFKA_BROKERS: THREE_BROKER_LIST,
      KAFKA_REPLICATION_FACTOR: '3',
    });
    const server = s.server('server');
    const items = 2_400;
    await s.explain(async () => {
      await server.start();
      const started = await server.post('/api/streams', {
        id: 'two-down',
        source: 'synthetic',
        subreddits: ['askscience', 'worldnews', 'gardening', 'movies', 'rust', 'cooking'],
        kinds: ['comments'],
        ratePerSecond: 40,
        maxEvents: items,
        synthetic: { seed: 606 },
      });
      expect(started.status).toBe(201);
      const status = async (): Promise<StreamStatus> =>
        JSON.parse((await server.get('/api/streams/two-down')).body) as StreamStatus;
      await eventually(status, (st) => st.produced.total >= items / 4, {
        what: 'a quarter of the stream produced',
        timeoutMs: 60_000,
      });

      // One broker left of three: no write reaches two in-sync replicas (nor a
      // controller quorum, as every broker is also a controller).
      await threeBrokers('kill9-service', 'kafka-2');
      await threeBrokers('kill9-service', 'kafka-3');
      const downAt = Date.now();
      const failing = await eventually(
        status,
        (st) => st.lastError !== null && st.lastErrorRecoveredAt === null,
        {
          what: 'the stream to report the failing publish',
          timeoutMs: 180_000,
          intervalMs: 2_000,
        },
      );
      const reportedAfterMs = Date.now() - downAt;
      await sleep(10_000);
      const stalled = await status();
      // Stopped where it was, still running (retrying the same batch), and saying why.
      expect(stalled.produced.total).toBe(failing.produced.total);
      expect(stalled.state).toBe('running');
      expect(stalled.lastError).toMatch(/kafka|broker|replica|timed out|connect/i);
      expect(server.running).toBe(true);

      await threeBrokers('start-service', 'kafka-2');
      const done = await eventually(status, (st) => st.state === 'completed', {
        what: 'the stream to complete after a broker came back',
        timeoutMs: 240_000,
        intervalMs: 2_000,
      });
      expect(done.produced.total).toBe(items);
      expect(done.lastErrorRecoveredAt).not.toBeNull();

      // Every item on the events topic once (a retry reads back what a failed
      // attempt left there and skips it), and counted once in both stores' windows.
      const events = s.ns.config.kafka.topics.events;
      const messages = await readTopic(s.ns.config, events, await topicSize(s.ns.config, events));
      // (The stream's end also puts a marker without a fullname on each partition.)
      const fullnames = new Set(messages.flatMap((m) => [...fullnamesIn(m.value)]));
      const sent = messages.reduce((n, m) => n + fullnamesIn(m.value).size, 0);
      expect({ distinct: fullnames.size, sent }).toEqual({ distinct: items, sent: items });
      const counted = await eventually(
        async (): Promise<[number, number]> => [
          await s.countedInCassandra(),
          await s.countedInWarehouse(),
        ],
        ([cassandra, warehouse]) => cassandra >= items && warehouse >= items,
        { what: `${items} events in the 1m windows of both stores`, timeoutMs: 180_000 },
      );
      await sleep(5_000);
      expect([await s.countedInCassandra(), await s.countedInWarehouse()]).toEqual([items, items]);
      console.log(
        `two brokers down: ${items} items streamed, ${messages.length} messages on the topic ` +
          `(${fullnames.size} distinct), ${counted[0]} counted in 1m windows; the stream ` +
          `stopped at ${failing.produced.total} and reported it after ${(reportedAfterMs / 1000).toFixed(0)} s: ` +
          `${stalled.lastError}`,
      );
      await threeBrokers('start-service', 'kafka-3');
    });
  });
});

import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Kafka, logLevel, Partitioners, type Admin, type Message, type Producer } from 'kafkajs';
import { AppConfig } from '@app/config';
import { retryUntil } from '@app/common/retry';
import { type DependencyHealth } from '@app/common/health';
import { nestKafkaLogCreator } from './kafka-logging';
import { MessageBroker } from './ports';
import { produceRequests } from './produce-requests';

export interface OutgoingMessage {
  readonly key: string;
  /** Sent to this partition rather than the key's. */
  readonly partition?: number;
  readonly value: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The one place that owns the kafkajs client: creates topics at boot, holds the
 * process's idempotent producer and answers health checks. Other modules reach
 * Kafka only through their own ports, whose adapters use this.
 */
@Injectable()
export class KafkaConnection extends MessageBroker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaConnection.name);
  readonly client: Kafka;
  private producer: Producer;
  private replacing: Promise<void> | null = null;
  private readonly admin: Admin;
  private lastError: string | null = null;
  private readonly partitionCounts = new Map<string, number>();

  constructor(private readonly config: AppConfig) {
    super();
    this.client = new Kafka({
      clientId: config.kafka.clientId,
      brokers: [...config.kafka.brokers],
      logLevel: logLevel.WARN,
      logCreator: nestKafkaLogCreator,
      retry: { initialRetryTime: 300, retries: 8 },
    });
    this.producer = this.createProducer();
    this.admin = this.client.admin();
  }

  private createProducer(): Producer {
    // One in-flight request keeps the idempotent producer's per-partition
    // sequence numbers in order; batching keeps throughput.
    return this.client.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded, so a long Kafka outage surfaces as an error in the stream's
      // status; the stream then retries the same batch, reading back what a
      // failed attempt left on the topic first (see EventSink.publishedSince).
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
  }

  /**
   * A new producer (a new producer id, sequences from zero) in place of one
   * the brokers no longer accept. After brokers die mid-request, a partition's
   * sequence can be out of step with what its new leader has (a timed-out
   * batch that was in fact written, or lost): kafkajs then fails every later
   * send to it with OUT_OF_ORDER_SEQUENCE_NUMBER and never recovers. Whatever
   * the broken producer may have written twice is harmless: outputs are
   * upserts by key, and ingest reads back before it retries.
   */
  private replaceProducer(broken: Producer): Promise<void> {
    if (this.producer !== broken) return Promise.resolve();
    this.replacing ??= (async () => {
      const fresh = this.createProducer();
      await fresh.connect();
      this.producer = fresh;
      this.logger.warn("Kafka refused the producer's sequence numbers; using a new producer");
      void broken.disconnect().catch(() => undefined);
    })().finally(() => {
      this.replacing = null;
    });
    return this.replacing;
  }

  async onModuleInit(): Promise<void> {
    await retryUntil(
      async () => {
        await this.admin.connect();
        await this.ensureTopics();
        await this.producer.connect();
      },
      {
        deadlineMs: this.config.dependencyConnectTimeoutMs,
        what: `Kafka at ${this.config.kafka.brokers.join(',')}`,
        onRetry: (error) => this.logger.warn(`Kafka not ready yet: ${String(error)}`),
      },
    );
    this.logger.log(`Connected to Kafka at ${this.config.kafka.brokers.join(',')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  /**
   * With replicas configured, partitions of our topics whose in-sync replicas
   * fall short of their replicas: a broker is down or behind. Producing and
   * consuming go on (writes need min.insync.replicas), so it is a warning,
   * not an outage.
   */
  private async underReplication(): Promise<string | null> {
    if (this.config.kafka.replicationFactor < 2) return null;
    const { events, windows } = this.config.kafka.topics;
    const metadata = await this.admin.fetchTopicMetadata({ topics: [events, windows] });
    const short = metadata.topics.flatMap((topic) =>
      topic.partitions
        .filter((p) => p.isr.length < p.replicas.length)
        .map((p) => `${topic.name}/${p.partitionId}`),
    );
    if (short.length === 0) return null;
    const fewest = Math.min(
      ...metadata.topics.flatMap((t) => t.partitions.map((p) => p.isr.length)),
    );
    return (
      `${short.length} partition(s) under-replicated (as few as ${fewest} of ` +
      `${this.config.kafka.replicationFactor} replicas in sync), e.g. ${short.slice(0, 3).join(', ')}`
    );
  }

  /**
   * How many partitions the topic has, asked of Kafka once per process (a
   * topic given more partitions later is seen after a restart); null while
   * Kafka cannot say.
   */
  async partitionCount(topic: string): Promise<number | null> {
    const known = this.partitionCounts.get(topic);
    if (known !== undefined) return known;
    try {
      const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
      const count = metadata.topics[0]?.partitions.length ?? 0;
      if (count === 0) return null;
      this.partitionCounts.set(topic, count);
      return count;
    } catch {
      return null;
    }
  }

  /**
   * Per partition of `topic`, the offsets of the messages sent at or after
   * `sinceMs` (by their timestamps): from the first such message to the end.
   * Partitions with none are left out.
   */
  async offsetsSince(
    topic: string,
    sinceMs: number,
  ): Promise<{ partition: number; from: string; to: string }[]> {
    const [since, ends] = await Promise.all([
      this.admin.fetchTopicOffsetsByTimestamp(topic, sinceMs),
      this.admin.fetchTopicOffsets(topic),
    ]);
    const end = new Map(ends.map((p) => [p.partition, p.high]));
    return since
      .map((p) => ({ partition: p.partition, from: p.offset, to: end.get(p.partition) ?? '0' }))
      .filter((r) => Number(r.from) >= 0 && BigInt(r.from) < BigInt(r.to));
  }

  private async ensureTopics(): Promise<void> {
    const { topics, partitions, replicationFactor } = this.config.kafka;
    const existing = new Set(await this.admin.listTopics());
    const wanted = [
      topics.events,
      topics.windows,
      topics.trends,
      topics.trendMinutes,
      topics.deadLetter,
      topics.lateEvents,
    ].filter((topic) => !existing.has(topic));
    if (wanted.length === 0) return;
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: wanted.map((topic) => ({
        topic,
        // One judge of the all-subreddits scope: its input is one partition, in one order.
        numPartitions: topic === topics.trendMinutes ? 1 : partitions,
        replicationFactor,
        configEntries: [
          // Window results are upserts by key: compaction keeps the latest per window.
          ...(topic === topics.windows ? [{ name: 'cleanup.policy', value: 'compact' }] : []),
          // With acks from all in-sync replicas, a write then lives on at least two
          // brokers (with 3 replicas), and one broker may be down without stopping writes.
          ...(replicationFactor >= 2
            ? [{ name: 'min.insync.replicas', value: String(Math.min(2, replicationFactor - 1)) }]
            : []),
        ],
      })),
    });
    this.logger.log(`Created topics ${wanted.join(', ')}`);
  }

  /**
   * Sends messages in requests of bounded size (see produceRequests), one
   * after another so each partition keeps their order; resolves when all
   * are acknowledged by all in-sync replicas.
   */
  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = this.producer;
    try {
      for (const request of produceRequests(messages)) {
        await producer.send({
          topic,
          acks: -1,
          messages: request.map((m): Message => ({
            key: m.key,
            value: m.value,
            ...(m.partition === undefined ? {} : { partition: m.partition }),
            headers: m.headers ? { ...m.headers } : undefined,
          })),
        });
      }
      this.lastError = null;
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      if (producerStateLost(error)) await this.replaceProducer(producer).catch(() => undefined);
      throw error;
    }
  }

  async health(): Promise<DependencyHealth> {
    try {
      const started = Date.now();
      const cluster = await this.admin.describeCluster();
      const warning = await this.underReplication();
      return {
        status: 'up',
        detail: `${cluster.brokers.length} broker(s), controller ${cluster.controller ?? 'unknown'}`,
        latencyMs: Date.now() - started,
        ...(this.lastError ? { lastError: this.lastError } : {}),
        ...(warning ? { warning } : {}),
      };
    } catch (error) {
      return { status: 'down', detail: error instanceof Error ? error.message : String(error) };
    }
  }
}

/** Errors after which the brokers will not take this producer's sequence numbers again. */
const PRODUCER_STATE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
]);

/** Whether `error`, or an error it wraps (kafkajs wraps the last one after its retries), is one of those. */
export function producerStateLost(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && PRODUCER_STATE_ERRORS.has(type)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

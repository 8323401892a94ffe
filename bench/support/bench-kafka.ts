import { EVENT_SCHEMA_VERSION } from '@app/events/reddit-event';
import { CompressionTypes, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { type BenchEvent } from './bench-events';

/** A kafkajs client for the benchmark itself (not the server's). */
export function benchKafka(brokers: readonly string[]): Kafka {
  return new Kafka({
    clientId: 'streaming-bench',
    brokers: [...brokers],
    logLevel: logLevel.ERROR,
    retry: { initialRetryTime: 300, retries: 8 },
  });
}

/** Creates `topic` unless it exists, with the partition count the server is configured with. */
export async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(topic)) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes whichever of `topics` exist. */
export async function deleteTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const doomed = topics.filter((topic) => existing.has(topic));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
  } finally {
    await admin.disconnect();
  }
}

/** Messages per partition of `topic` (high minus low watermark). */
export async function partitionSizes(kafka: Kafka, topic: string): Promise<number[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets
      .sort((a, b) => a.partition - b.partition)
      .map((p) => Number(p.high) - Number(p.low));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Produces events the way the server's ingest does: key = subreddit (so one
 * subreddit stays on one partition, in order), header schema-version, the
 * default (Java-compatible murmur2) partitioner, idempotent, acks=all, one
 * request in flight so per-partition order is the send order.
 */
export class EventProducer {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(events: readonly BenchEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: events.map(({ event, json }) => ({
        key: event.subreddit,
        value: json,
        headers: { 'schema-version': String(EVENT_SCHEMA_VERSION), kind: event.kind },
      })),
    });
  }
}

import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { LANE_END_HEADER, laneEndMessage } from '@app/events/lane-end';
import { EVENT_SCHEMA_VERSION, type RedditEvent } from '@app/events/reddit-event';
import { KafkaConnection } from './kafka-connection';
import { EventSink } from './ports';

/** How long reading back what a stream already published may take before the publish is retried. */
const READ_TIMEOUT_MS = 60_000;

/** The fullname of a message that is one of `streamId`'s events (not a lane-end marker, not another stream's). */
function streamFullname(value: Buffer | null, streamId: string): string | null {
  if (!value) return null;
  try {
    const event = JSON.parse(value.toString()) as Partial<RedditEvent>;
    return event.streamId === streamId && typeof event.fullname === 'string'
      ? event.fullname
      : null;
  } catch {
    return null;
  }
}

function withTimeout(work: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Produces events to the events topic keyed by subreddit, so one subreddit's
 * events stay in one partition (and so with one window owner), in batches of
 * the configured size.
 */
@Injectable()
export class KafkaEventSink extends EventSink {
  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async publish(events: readonly RedditEvent[]): Promise<void> {
    const { producerBatchSize, topics } = this.config.kafka;
    for (let start = 0; start < events.length; start += producerBatchSize) {
      const chunk = events.slice(start, start + producerBatchSize);
      await this.kafka.send(
        topics.events,
        chunk.map((event) => ({
          key: event.subreddit,
          value: JSON.stringify(event),
          headers: { 'schema-version': String(EVENT_SCHEMA_VERSION), kind: event.kind },
        })),
      );
    }
  }

  endOfBackfill(streamId: string): Promise<void> {
    return this.endOfLane(streamId, false);
  }

  endOfLive(streamId: string): Promise<void> {
    return this.endOfLane(streamId, true);
  }

  /**
   * Reads what was sent since `sinceMs` with a consumer in a group of its
   * own (Kafka has no group-less subscription; with nothing committed the
   * group leaves nothing behind), each partition from its first message at
   * or after `sinceMs` to where it ended when asked. Only after a crash or a
   * failed publish, so a few seconds of group join do not matter.
   */
  async publishedSince(streamId: string, sinceMs: number): Promise<ReadonlySet<string>> {
    const topic = this.config.kafka.topics.events;
    const ranges = await this.kafka.offsetsSince(topic, sinceMs);
    const found = new Set<string>();
    if (ranges.length === 0) return found;
    const pending = new Map(ranges.map((r) => [r.partition, r]));
    const consumer = this.kafka.client.consumer({
      groupId: `${this.config.kafka.consumerGroup}.ingest-check.${randomBytes(6).toString('hex')}`,
      allowAutoTopicCreation: false,
    });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const partition of payload.memberAssignment[topic] ?? []) {
        const range = pending.get(partition);
        if (range) consumer.seek({ topic, partition, offset: range.from });
      }
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: ({ batch }) => {
          const range = pending.get(batch.partition);
          if (!range) return Promise.resolve();
          for (const message of batch.messages) {
            if (BigInt(message.offset) >= BigInt(range.to)) break;
            const fullname = streamFullname(message.value, streamId);
            if (fullname) found.add(fullname);
          }
          if (BigInt(batch.lastOffset()) + 1n >= BigInt(range.to)) pending.delete(batch.partition);
          if (pending.size === 0) done();
          return Promise.resolve();
        },
      });
      await withTimeout(finished, READ_TIMEOUT_MS, `reading ${topic} since ${sinceMs}`);
      return found;
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
  }

  private async endOfLane(streamId: string, live: boolean): Promise<void> {
    const { partitions, topics } = this.config.kafka;
    await this.kafka.send(
      topics.events,
      Array.from({ length: partitions }, (_, partition) => ({
        partition,
        key: streamId,
        value: laneEndMessage(streamId, live),
        headers: { [LANE_END_HEADER]: 'true' },
      })),
    );
  }
}

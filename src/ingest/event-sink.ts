import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { KafkaConnection } from '@app/kafka/kafka-connection';
import { EVENT_SCHEMA_VERSION, type RedditEvent } from './domain/reddit-event';
import { type IngestReject } from './sources/stream-source';

/** Where ingest delivers normalised events, and items it could not normalise. */
export abstract class EventSink {
  /** Resolves once every event is durably accepted; rejects if any was not. */
  abstract publish(events: readonly RedditEvent[]): Promise<void>;
  /** Sends unusable source items to the dead-letter topic with their reason. */
  abstract deadLetter(streamId: string, rejects: readonly IngestReject[]): Promise<void>;
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

  async deadLetter(streamId: string, rejects: readonly IngestReject[]): Promise<void> {
    const failedAtMs = Date.now();
    await this.kafka.send(
      this.config.kafka.topics.deadLetter,
      rejects.map((reject) => ({
        key: streamId,
        value: JSON.stringify({
          stage: 'ingest',
          streamId,
          reason: reject.reason,
          position: reject.position,
          value: reject.raw,
          failedAtMs,
        }),
        headers: { reason: reject.reason.slice(0, 200), stage: 'ingest' },
      })),
    );
  }
}

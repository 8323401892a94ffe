import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { LANE_END_HEADER, laneEndMessage } from '@app/events/lane-end';
import { EVENT_SCHEMA_VERSION, type RedditEvent } from '@app/events/reddit-event';
import { KafkaConnection } from './kafka-connection';
import { EventSink } from './ports';

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

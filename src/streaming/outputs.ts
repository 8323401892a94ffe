import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { KafkaConnection } from '@app/kafka/kafka-connection';
import { type RedditEvent } from '@app/ingest/domain/reddit-event';
import { type WindowRecord } from '@app/storage/records';

export interface DeadLetter {
  readonly reason: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** The original message value, as text. */
  readonly value: string | null;
  readonly failedAtMs: number;
}

/** Where messages that can never be processed go, with the reason. */
export abstract class DeadLetterSink {
  abstract send(letters: readonly DeadLetter[]): Promise<void>;
}

/** An event that arrived after every window it belongs to was closed for good. */
export interface LateEvent {
  readonly event: RedditEvent;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The watermark it was judged against. */
  readonly watermarkMs: number | null;
  readonly allowedLatenessMs: number;
}

/** Where too-late events go, so they are visible and can be reprocessed, not silently dropped. */
export abstract class LateEventSink {
  abstract send(events: readonly LateEvent[]): Promise<void>;
}

/** Downstream consumers' feed of window results. */
export abstract class WindowPublisher {
  abstract publish(windows: readonly WindowRecord[]): Promise<void>;
}

@Injectable()
export class KafkaDeadLetterSink extends DeadLetterSink {
  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async send(letters: readonly DeadLetter[]): Promise<void> {
    await this.kafka.send(
      this.config.kafka.topics.deadLetter,
      letters.map((letter) => ({
        key: letter.key ?? `${letter.topic}-${letter.partition}`,
        value: JSON.stringify({ stage: 'streaming', ...letter }),
        headers: {
          reason: letter.reason.slice(0, 200),
          stage: 'streaming',
          'source-topic': letter.topic,
        },
      })),
    );
  }
}

@Injectable()
export class KafkaWindowPublisher extends WindowPublisher {
  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async publish(windows: readonly WindowRecord[]): Promise<void> {
    await this.kafka.send(
      this.config.kafka.topics.windows,
      windows.map((w) => ({
        // One key per window so log compaction keeps its latest state.
        key: `${w.subreddit}|${w.window}|${new Date(w.windowStartMs).toISOString()}`,
        value: JSON.stringify({
          ...w,
          windowStart: new Date(w.windowStartMs).toISOString(),
          windowEnd: new Date(w.windowEndMs).toISOString(),
        }),
      })),
    );
  }
}

@Injectable()
export class KafkaLateEventSink extends LateEventSink {
  constructor(
    private readonly kafka: KafkaConnection,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async send(events: readonly LateEvent[]): Promise<void> {
    await this.kafka.send(
      this.config.kafka.topics.lateEvents,
      events.map((late) => ({
        // Keyed by fullname: a re-sent late event (after a crash) is recognisable downstream.
        key: late.event.fullname,
        value: JSON.stringify({
          reason: 'too late: beyond the allowed lateness of every window it belongs to',
          watermark: late.watermarkMs === null ? null : new Date(late.watermarkMs).toISOString(),
          allowedLatenessMs: late.allowedLatenessMs,
          source: { topic: late.topic, partition: late.partition, offset: late.offset },
          event: late.event,
        }),
        headers: { reason: 'too-late', 'source-topic': late.topic },
      })),
    );
  }
}

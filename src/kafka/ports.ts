import { type CustomTransportStrategy } from '@nestjs/microservices';
import { type DependencyHealth } from '@app/common/health';
import { type DeadLetter } from '@app/events/dead-letter';
import { type LateEvent } from '@app/events/late-event';
import { type RedditEvent } from '@app/events/reddit-event';
import { type TrendRecord, type WindowRecord } from '@app/storage/records';
import { type MinutesReport } from '@app/trends/domain';

/**
 * What the rest of the app may do with Kafka, one port per use; the adapters
 * beside this file implement them on the one kafkajs client
 * (KafkaConnection). Consuming goes through the batch transport in
 * `consumer/`.
 */

/** Where ingest delivers normalised events. */
export abstract class EventSink {
  /** Resolves once every event is durably accepted; rejects if any was not. */
  abstract publish(events: readonly RedditEvent[]): Promise<void>;
  /**
   * Tells every partition that a backfill has published all its events, after
   * them in each partition's order, so its lane can close and its windows
   * become final. Sending it twice is harmless.
   */
  abstract endOfBackfill(streamId: string): Promise<void>;
  /**
   * The same for the live lane, after the last live stream here stopped: its
   * windows become final. Live data arriving later reopens the lane, and the
   * windows it reaches (from the archive of closed windows).
   */
  abstract endOfLive(streamId: string): Promise<void>;
  /**
   * The fullnames of stream `streamId`'s events on the events topic sent at
   * or after `sinceMs`: what a publish that may have failed half-way, or a
   * crash before the stream saved its position, left there. Ingest skips
   * them when it publishes that part of the source again.
   */
  abstract publishedSince(streamId: string, sinceMs: number): Promise<ReadonlySet<string>>;
}

/** Where items that can never be processed go, with the reason (one envelope for every stage). */
export abstract class DeadLetterSink {
  abstract send(letters: readonly DeadLetter[]): Promise<void>;
}

/** Where too-late events go, so they are visible and can be reprocessed, not silently dropped. */
export abstract class LateEventSink {
  abstract send(events: readonly LateEvent[]): Promise<void>;
}

/** Downstream consumers' feed of window results. */
export abstract class WindowPublisher {
  abstract publish(windows: readonly WindowRecord[]): Promise<void>;
}

/** Downstream consumers' feed of trend findings (rising terms, mood shifts, bursts). */
export abstract class TrendPublisher {
  abstract publish(trends: readonly TrendRecord[]): Promise<void>;
}

/** Where the partitions' judged subreddit-minutes go, for the all-subreddits trend scope. */
export abstract class TrendMinutePublisher {
  abstract publish(reports: readonly MinutesReport[]): Promise<void>;
}

/** One record read from a followed topic. */
export interface TailedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly value: string;
}

export interface TailFollower {
  /** Each batch of records, in partition order. */
  readonly onRecords: (records: readonly TailedRecord[]) => void;
  /** Where to go on in a partition followed before (its next offset), or undefined: from its end. */
  readonly resumeAt: (topic: string, partition: number) => string | undefined;
  /** The offset each partition is followed from, before any of its records. */
  readonly onStart: (topic: string, partition: number, offset: string) => void;
}

/**
 * Reads topics as this instance's own audience, every partition of them,
 * from their end when it first starts (and from where it stopped when it
 * starts again): how each server sees every partition's window and trend
 * updates, whichever partitions its consumer owns.
 */
export abstract class TopicTail {
  /** Starts following. Resolves once subscribed. */
  abstract follow(topics: readonly string[], follower: TailFollower): Promise<void>;
  abstract stop(): Promise<void>;
}

/** The cluster as a dependency, for /health. */
export abstract class MessageBroker {
  abstract health(): Promise<DependencyHealth>;
}

/** How the app consumes: a Nest transport that hands handlers whole partition batches. */
export abstract class ConsumerTransport {
  /** A strategy for `connectMicroservice`; `topics` maps each `@EventPattern` to its topic. */
  abstract strategy(topics: Readonly<Record<string, string>>): CustomTransportStrategy;
}

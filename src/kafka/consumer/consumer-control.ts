import { Injectable, Logger } from '@nestjs/common';

/** What the transport lets the streaming service do with the running consumer. */
export interface ConsumerHandle {
  commit(topic: string, partition: number, nextOffset: string): Promise<void>;
  pause(topic: string, partition: number): void;
  resume(topic: string, partition: number): void;
  seek(topic: string, partition: number, offset: string): void;
}

/** Partitions this consumer owns after a (re)join: topic -> partitions. */
export type Assignment = ReadonlyMap<string, readonly number[]>;

/**
 * The link between the batch Kafka transport (which owns the kafkajs consumer)
 * and the streaming service: the transport attaches its consumer and reports
 * group rebalances; the service commits offsets from its flush timer, pauses a
 * partition whose stores are failing and seeks it back to its checkpoint.
 */
@Injectable()
export class ConsumerControl {
  private readonly logger = new Logger(ConsumerControl.name);
  private handle: ConsumerHandle | null = null;
  private readonly listeners: ((assignment: Assignment) => void)[] = [];
  private readonly rebalanceListeners: (() => void)[] = [];

  attach(handle: ConsumerHandle): void {
    this.handle = handle;
  }

  detach(): void {
    this.handle = null;
  }

  /** Called by the transport when the group starts rebalancing. */
  rebalancing(): void {
    for (const listener of this.rebalanceListeners) listener();
  }

  /** Called by the transport after every group join with the new assignment. */
  assigned(assignment: Assignment): void {
    for (const listener of this.listeners) listener(assignment);
  }

  onAssigned(listener: (assignment: Assignment) => void): void {
    this.listeners.push(listener);
  }

  onRebalancing(listener: () => void): void {
    this.rebalanceListeners.push(listener);
  }

  /** Best effort: a failed commit only means a re-read, which the checkpoint makes harmless. */
  async commit(topic: string, partition: number, nextOffset: string): Promise<void> {
    try {
      await this.handle?.commit(topic, partition, nextOffset);
    } catch (error) {
      this.logger.warn(
        `offset commit ${topic}/${partition}@${nextOffset} failed (it will be re-read and skipped): ${String(error)}`,
      );
    }
  }

  pause(topic: string, partition: number): void {
    this.steer('pause', topic, partition, (handle) => handle.pause(topic, partition));
  }

  resume(topic: string, partition: number): void {
    this.steer('resume', topic, partition, (handle) => handle.resume(topic, partition));
  }

  seek(topic: string, partition: number, offset: string): void {
    this.steer(`seek to ${offset}`, topic, partition, (handle) =>
      handle.seek(topic, partition, offset),
    );
  }

  /**
   * kafkajs refuses pause, resume and seek while it restarts a crashed
   * consumer (it has no group then), which is exactly when stores and brokers
   * are failing. Skipping them loses nothing: the restarted consumer rejoins
   * the group, and on every join each partition is rebuilt from its
   * checkpoint, unpaused, and read from its committed offset. Letting the
   * error escape would instead end the process from inside a failed flush.
   */
  private steer(
    what: string,
    topic: string,
    partition: number,
    act: (handle: ConsumerHandle) => void,
  ): void {
    if (!this.handle) return;
    try {
      act(this.handle);
    } catch (error) {
      this.logger.warn(
        `${what} ${topic}/${partition} skipped (the partition is rebuilt from its checkpoint when the consumer rejoins): ${String(error)}`,
      );
    }
  }
}

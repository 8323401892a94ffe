import { type PartitionRef } from '@app/storage/records';
import { type PartitionTrends } from '@app/trends/domain';
import { type CheckpointDelta } from '../domain/engine';
import { StreamTallies } from '../stream-tallies';
import { OutputBuffer } from './output-buffer';

export interface PausedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly reason: string;
  readonly sinceMs: number;
  readonly retryAtMs: number;
}

/**
 * One consumed partition's progress on this server. The window state itself
 * lives in the engine under `key`; this holds where it stands against Kafka
 * and the checkpoint, what waits to be written, and whether it is paused.
 * Every change happens under `locked`, except what a landing flush updates
 * after checking that `generation` has not moved.
 */
export class PartitionRuntime {
  readonly key: string;

  // Ownership: set when the state is restored, cleared when it is discarded.
  /** Fencing epoch from the claim; null until the state is restored. */
  epoch: number | null = null;
  /** Bumped whenever the in-memory state is discarded: a flush of an older generation changes nothing. */
  generation = 0;

  // Offsets.
  /** First offset the durable checkpoint does not cover. */
  checkpointOffset: bigint | null = null;
  /** Where to re-read from if the partition must be rebuilt before any checkpoint. */
  firstFetchedOffset: bigint | null = null;
  /** First offset not yet taken into memory. */
  nextOffset: bigint | null = null;
  lastCommittedOffset: bigint | null = null;

  // Flushing.
  readonly outputs = new OutputBuffer();
  /** What happened to each stream's events here; checkpointed with the offsets. */
  readonly tallies = new StreamTallies();
  lastFlushMs: number;
  /** When the last checkpoint was saved (or the state restored). */
  lastCheckpointMs: number;
  /** Version of the last window rows written (see nextVersion). */
  private lastVersion = 0;
  /** What flushes since the last checkpoint changed, for the next one to save. */
  pendingCheckpoint: CheckpointDelta | null = null;
  /** Whether the last trend report said the live lane was idle (MinutesReport.idle). */
  reportedIdle = false;
  /** The flush in flight (at most one); resolves to whether it succeeded. */
  flushing: Promise<boolean> | null = null;

  // Failures.
  failures = 0;
  paused: PausedPartition | null = null;
  resumeTimer: NodeJS.Timeout | null = null;

  /** Serialises batches, the start of flushes, and resets of this partition. */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly ref: PartitionRef,
    nowMs: number,
    /** Trend detection's state for the partition (null: trends are off); checkpointed with the windows. */
    readonly trends: PartitionTrends | null = null,
  ) {
    this.key = `${ref.topic}/${ref.partition}`;
    this.lastFlushMs = nowMs;
    this.lastCheckpointMs = nowMs;
  }

  locked<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** The state was rebuilt from a checkpoint claimed with `epoch`. */
  restored(epoch: number, checkpointOffset: bigint | null, nowMs: number): void {
    this.epoch = epoch;
    this.lastVersion = Math.max(nowMs, this.lastVersion);
    this.checkpointOffset = checkpointOffset;
    this.lastFlushMs = nowMs;
    this.lastCheckpointMs = nowMs;
    this.pendingCheckpoint = null;
  }

  /**
   * The version of the next flush's window rows: the time the partition was
   * claimed, plus one per flush since. Versions are how every store fences a
   * server that lost the partition without noticing (paused past the Kafka
   * session timeout, then resumed): whatever its clock says when it resumes,
   * its versions go on from its own claim, one per flush, while the new
   * owner's start at its later claim. As long as a partition flushes less
   * than once a millisecond, a version is never ahead of the clock, so the
   * next claim (by any server whose clock is not behind by more than the
   * time since this claim) starts above every version this owner wrote.
   *
   * Why not Kafka transactions: they fence only what goes to Kafka, and the
   * window rows that matter are in Cassandra and the warehouse. Why not a
   * conditional write checking the epoch: a lightweight transaction per
   * window row is a Paxos round per row in Cassandra, and the warehouse
   * would need the epoch table in every merge. A version each store already
   * compares costs nothing per write.
   */
  nextVersion(): number {
    this.lastVersion += 1;
    return this.lastVersion;
  }

  /** The checkpoint now covers offsets before `nextOffset`. */
  checkpointed(nextOffset: bigint, startedMs: number): void {
    this.pendingCheckpoint = null;
    this.checkpointOffset = nextOffset;
    this.lastCheckpointMs = startedMs;
  }

  /** The checkpointed offset, if it has not been committed to Kafka yet. */
  commitCandidate(): string | null {
    const offset = this.checkpointOffset;
    if (offset === null || offset === this.lastCommittedOffset) return null;
    this.lastCommittedOffset = offset;
    return offset.toString();
  }

  /** Forgets the in-memory state (the engine's part is the caller's); the next batch restores it. */
  discardState(): void {
    this.generation++;
    this.epoch = null;
    this.nextOffset = null;
    this.pendingCheckpoint = null;
    this.outputs.clear();
    this.tallies.clear();
    this.trends?.clear();
  }

  /** After a rebalance: offsets come again from the checkpoint, and failures start over. */
  resetProgress(): void {
    this.clearResumeTimer();
    this.checkpointOffset = null;
    this.firstFetchedOffset = null;
    this.lastCommittedOffset = null;
    this.paused = null;
    this.failures = 0;
  }

  clearResumeTimer(): void {
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = null;
  }
}

import { type StreamingDeadLetter } from '@app/events/dead-letter';
import { type LateEvent } from '@app/events/late-event';
import { type PostRecord } from '@app/storage/records';

/** What one flush writes besides the window rows. */
export interface BufferedOutputs {
  readonly posts: readonly PostRecord[];
  readonly late: readonly LateEvent[];
  readonly deadLetters: readonly StreamingDeadLetter[];
}

/**
 * A partition's per-event outputs taken from Kafka and not yet written. They
 * count against the consumer's memory bound until the flush that took them
 * has landed.
 */
export class OutputBuffer {
  private posts: PostRecord[] = [];
  private late: LateEvent[] = [];
  private deadLetters: StreamingDeadLetter[] = [];
  /** Events the flush in flight holds. */
  private inFlight = 0;

  add(
    posts: readonly PostRecord[],
    late: readonly LateEvent[],
    dead: readonly StreamingDeadLetter[],
  ): void {
    for (const post of posts) this.posts.push(post);
    for (const event of late) this.late.push(event);
    for (const letter of dead) this.deadLetters.push(letter);
  }

  /** Events waiting for the next flush. */
  get waiting(): number {
    return this.posts.length + this.late.length + this.deadLetters.length;
  }

  /** Events held in memory: waiting, or in the flush in flight. */
  get buffered(): number {
    return this.waiting + this.inFlight;
  }

  /** Hands everything waiting to a flush; it stays counted until `landed`. */
  take(): BufferedOutputs {
    const taken = { posts: this.posts, late: this.late, deadLetters: this.deadLetters };
    this.clear();
    this.inFlight = taken.posts.length + taken.late.length + taken.deadLetters.length;
    return taken;
  }

  /** The flush in flight has ended (landed or failed). */
  landed(): void {
    this.inFlight = 0;
  }

  /** Forgets what is waiting (the partition is rebuilt from its checkpoint). */
  clear(): void {
    this.posts = [];
    this.late = [];
    this.deadLetters = [];
  }
}

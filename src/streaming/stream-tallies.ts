/**
 * What the consumer did with each ingest stream's events, per consumed
 * partition: the answer to "the stream said produced 100; where did they go?".
 *
 * The totals are part of the partition's checkpoint, saved with the offset
 * they cover, so they are exactly-once like the windows: after a crash or a
 * rebalance the new owner restores them and recounts only what it re-reads.
 */
import { NO_OUTCOMES, type Outcome, type StreamOutcomes } from '@app/events/stream-outcomes';

/** One partition's totals per stream, and which changed since the last checkpoint. */
export class StreamTallies {
  private readonly totals = new Map<string, StreamOutcomes>();
  private readonly changed = new Set<string>();

  add(streamId: string, outcome: Outcome, count = 1): void {
    if (count <= 0) return;
    const current = this.totals.get(streamId) ?? NO_OUTCOMES;
    this.totals.set(streamId, { ...current, [outcome]: current[outcome] + count });
    this.changed.add(streamId);
  }

  /** The totals of the streams changed since the last call, as they stand now. */
  takeChanged(): [streamId: string, outcomes: StreamOutcomes][] {
    const taken = [...this.changed].map((id): [string, StreamOutcomes] => [
      id,
      this.totals.get(id) ?? NO_OUTCOMES,
    ]);
    this.changed.clear();
    return taken;
  }

  restore(streamId: string, outcomes: StreamOutcomes): void {
    this.totals.set(streamId, outcomes);
  }

  clear(): void {
    this.totals.clear();
    this.changed.clear();
  }

  entries(): IterableIterator<[string, StreamOutcomes]> {
    return this.totals.entries();
  }
}

export interface CountedKey {
  readonly key: string;
  readonly count: number;
}

export interface TopKCounterJSON {
  readonly capacity: number;
  readonly total: number;
  readonly counts: readonly (readonly [string, number])[];
}

/**
 * Misra-Gries frequent-items counter with `capacity` (K) counters.
 * Error bound: for every key, trueCount - errorBound() <= estimate(key) <= trueCount,
 * with errorBound() = (total - sum of retained counts) / (K + 1) <= total / (K + 1).
 * So any key occurring more than total/(K+1) times is guaranteed to be retained.
 */
export class TopKCounter {
  private readonly counts = new Map<string, number>();
  private totalCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`top-K capacity must be a positive integer, got ${capacity}`);
    }
  }

  add(key: string, count = 1): void {
    if (count <= 0) return;
    this.totalCount += count;
    this.counts.set(key, (this.counts.get(key) ?? 0) + count);
    if (this.counts.size === this.capacity + 1) this.reduceByMinimum();
    else this.reduce();
  }

  get total(): number {
    return this.totalCount;
  }

  get size(): number {
    return this.counts.size;
  }

  estimate(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  errorBound(): number {
    let retained = 0;
    for (const c of this.counts.values()) retained += c;
    return (this.totalCount - retained) / (this.capacity + 1);
  }

  /** Retained keys, highest count first, ties by key (deterministic). */
  top(limit = this.capacity): CountedKey[] {
    return [...this.counts]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, limit);
  }

  static merge(a: TopKCounter, b: TopKCounter): TopKCounter {
    if (a.capacity !== b.capacity) {
      throw new RangeError(
        `cannot merge top-K counters of capacity ${a.capacity} and ${b.capacity}`,
      );
    }
    const merged = new TopKCounter(a.capacity);
    merged.totalCount = a.totalCount + b.totalCount;
    for (const source of [a, b]) {
      for (const [key, count] of source.counts) {
        merged.counts.set(key, (merged.counts.get(key) ?? 0) + count);
      }
    }
    merged.reduce();
    return merged;
  }

  toJSON(): TopKCounterJSON {
    return {
      capacity: this.capacity,
      total: this.totalCount,
      counts: this.top(Number.POSITIVE_INFINITY).map(({ key, count }) => [key, count] as const),
    };
  }

  static fromJSON(json: TopKCounterJSON): TopKCounter {
    const counter = new TopKCounter(json.capacity);
    counter.totalCount = json.total;
    for (const [key, count] of json.counts) counter.counts.set(key, count);
    counter.reduce();
    return counter;
  }

  /**
   * `reduce` for the common case of exactly K+1 counters (one add past a full
   * counter): the (K+1)-th largest count is the smallest, found in one pass
   * instead of a sort on every add.
   */
  private reduceByMinimum(): void {
    let decrement = Number.POSITIVE_INFINITY;
    for (const count of this.counts.values()) if (count < decrement) decrement = count;
    for (const [key, count] of this.counts) {
      if (count <= decrement) this.counts.delete(key);
      else this.counts.set(key, count - decrement);
    }
  }

  /** Subtracts the (K+1)-th largest count from all counters and drops those at or below zero. */
  private reduce(): void {
    if (this.counts.size <= this.capacity) return;
    const sorted = [...this.counts.values()].sort((x, y) => y - x);
    const decrement = sorted[this.capacity] ?? 0;
    for (const [key, count] of this.counts) {
      if (count <= decrement) this.counts.delete(key);
      else this.counts.set(key, count - decrement);
    }
  }
}

/**
 * Event-time tumbling windows per subreddit: pure logic, no framework, no I/O.
 * A window aggregate is a plain mergeable record so it can be restored from
 * storage and updated by later events.
 */

export interface WindowSpec {
  /** Stable name used in keys and APIs, e.g. "1m". */
  readonly name: string;
  readonly sizeMs: number;
}

export const ONE_MINUTE_TUMBLING: WindowSpec = { name: '1m', sizeMs: 60_000 };

/** Start of the tumbling window holding `timeMs` (floor, correct for negative times too). */
export function windowStartFor(timeMs: number, sizeMs: number): number {
  return timeMs - (((timeMs % sizeMs) + sizeMs) % sizeMs);
}

export interface WindowAggregate {
  readonly subreddit: string;
  readonly window: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  submissions: number;
  comments: number;
  sentimentSum: number;
  sentimentCount: number;
  positive: number;
  neutral: number;
  negative: number;
  scoreSum: number;
  firstEventMs: number;
  lastEventMs: number;
}

/** What the window engine needs to know of one event. */
export interface WindowInput {
  readonly fullname: string;
  readonly subreddit: string;
  readonly kind: 'submission' | 'comment';
  readonly eventTimeMs: number;
  readonly score: number;
  readonly sentiment: number | null;
}

export function windowKey(subreddit: string, window: string, windowStartMs: number): string {
  return `${subreddit}|${window}|${windowStartMs}`;
}

export function emptyAggregate(
  subreddit: string,
  spec: WindowSpec,
  windowStartMs: number,
): WindowAggregate {
  return {
    subreddit,
    window: spec.name,
    windowStartMs,
    windowEndMs: windowStartMs + spec.sizeMs,
    submissions: 0,
    comments: 0,
    sentimentSum: 0,
    sentimentCount: 0,
    positive: 0,
    neutral: 0,
    negative: 0,
    scoreSum: 0,
    firstEventMs: Number.POSITIVE_INFINITY,
    lastEventMs: Number.NEGATIVE_INFINITY,
  };
}

/** Adds one event to an aggregate in place. */
export function addToAggregate(aggregate: WindowAggregate, input: WindowInput): void {
  if (input.kind === 'submission') aggregate.submissions++;
  else aggregate.comments++;
  aggregate.scoreSum += input.score;
  if (input.sentiment !== null) {
    aggregate.sentimentSum += input.sentiment;
    aggregate.sentimentCount++;
    if (input.sentiment >= 0.05) aggregate.positive++;
    else if (input.sentiment <= -0.05) aggregate.negative++;
    else aggregate.neutral++;
  }
  aggregate.firstEventMs = Math.min(aggregate.firstEventMs, input.eventTimeMs);
  aggregate.lastEventMs = Math.max(aggregate.lastEventMs, input.eventTimeMs);
}

export function sentimentMean(aggregate: WindowAggregate): number | null {
  return aggregate.sentimentCount === 0 ? null : aggregate.sentimentSum / aggregate.sentimentCount;
}

interface WindowState {
  readonly aggregate: WindowAggregate;
  /** Fullnames counted in this window since it was loaded: a redelivered event counts once. */
  readonly seen: Set<string>;
}

/**
 * Holds the open tumbling windows for the subreddits this consumer owns.
 * `apply` returns the windows a batch changed, in their new state, ready to be
 * upserted. Windows unknown in memory can be seeded from storage first, so a
 * restart continues counts instead of overwriting them.
 */
export class TumblingWindowEngine {
  private readonly windows = new Map<string, WindowState>();

  constructor(readonly spec: WindowSpec = ONE_MINUTE_TUMBLING) {}

  /** Keys of the windows these inputs fall in that are not held in memory. */
  missingKeys(inputs: readonly WindowInput[]): { subreddit: string; windowStartMs: number }[] {
    const missing = new Map<string, { subreddit: string; windowStartMs: number }>();
    for (const input of inputs) {
      const windowStartMs = windowStartFor(input.eventTimeMs, this.spec.sizeMs);
      const key = windowKey(input.subreddit, this.spec.name, windowStartMs);
      if (!this.windows.has(key)) missing.set(key, { subreddit: input.subreddit, windowStartMs });
    }
    return [...missing.values()];
  }

  /** Restores a window's state from storage; ignored when the window is already held. */
  seed(aggregate: WindowAggregate): void {
    const key = windowKey(aggregate.subreddit, aggregate.window, aggregate.windowStartMs);
    if (!this.windows.has(key))
      this.windows.set(key, { aggregate: { ...aggregate }, seen: new Set() });
  }

  /**
   * Adds a batch and returns the windows it changed, as copies. The returned
   * `rollback` undoes exactly this batch: call it when the batch's results
   * could not be made durable, so that a redelivery is counted again, once.
   */
  apply(inputs: readonly WindowInput[]): { changed: WindowAggregate[]; rollback: () => void } {
    const changed = new Map<string, WindowAggregate>();
    const before = new Map<string, WindowAggregate | null>();
    const added: { state: WindowState; fullname: string }[] = [];
    for (const input of inputs) {
      const windowStartMs = windowStartFor(input.eventTimeMs, this.spec.sizeMs);
      const key = windowKey(input.subreddit, this.spec.name, windowStartMs);
      let state = this.windows.get(key);
      if (!state) {
        state = {
          aggregate: emptyAggregate(input.subreddit, this.spec, windowStartMs),
          seen: new Set(),
        };
        this.windows.set(key, state);
        if (!before.has(key)) before.set(key, null);
      }
      if (state.seen.has(input.fullname)) continue;
      if (!before.has(key)) before.set(key, { ...state.aggregate });
      state.seen.add(input.fullname);
      added.push({ state, fullname: input.fullname });
      addToAggregate(state.aggregate, input);
      changed.set(key, state.aggregate);
    }
    const rollback = (): void => {
      for (const { state, fullname } of added) state.seen.delete(fullname);
      for (const [key, previous] of before) {
        const state = this.windows.get(key);
        if (!state) continue;
        if (previous === null) this.windows.delete(key);
        else Object.assign(state.aggregate, previous);
      }
    };
    return { changed: [...changed.values()].map((aggregate) => ({ ...aggregate })), rollback };
  }

  /** Drops windows that ended before `cutoffMs`, bounding memory; they reload from storage if touched again. */
  evictEndedBefore(cutoffMs: number): number {
    let evicted = 0;
    for (const [key, state] of this.windows) {
      if (state.aggregate.windowEndMs < cutoffMs) {
        this.windows.delete(key);
        evicted++;
      }
    }
    return evicted;
  }

  get size(): number {
    return this.windows.size;
  }
}

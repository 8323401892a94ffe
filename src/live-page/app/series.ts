import { type CountedKey, type WindowRow } from './types';

/** One point in time across the chosen subreddits (one window start). */
export interface Point {
  readonly startMs: number;
  readonly submissions: number;
  readonly comments: number;
  /** Mean sentiment over every scored event, null when none was scored. */
  readonly mean: number | null;
  /** The lowest and highest single score in the windows. */
  readonly min: number | null;
  readonly max: number | null;
  readonly positive: number;
  readonly neutral: number;
  readonly negative: number;
}

/**
 * The latest version of each window of the chosen subreddits, folded into
 * one series per window start. Updates arrive as whole windows (a window is
 * rewritten as events reach it), so a newer version replaces the older one.
 * Plain TypeScript: unit-tested without a browser.
 */
export class WindowSeries {
  private readonly windows = new Map<string, WindowRow>();

  constructor(private readonly keepMs: number) {}

  get size(): number {
    return this.windows.size;
  }

  clear(): void {
    this.windows.clear();
  }

  /** Takes a window; returns false when an equal or newer version is already held. */
  add(row: WindowRow): boolean {
    const key = `${row.subreddit}|${row.window}|${row.windowStart}`;
    const held = this.windows.get(key);
    if (held && Date.parse(held.updatedAt) >= Date.parse(row.updatedAt)) return false;
    this.windows.set(key, row);
    return true;
  }

  /** Drops windows that started more than `keepMs` before `nowMs`. */
  prune(nowMs: number): void {
    for (const [key, row] of this.windows)
      if (Date.parse(row.windowStart) < nowMs - this.keepMs) this.windows.delete(key);
  }

  /** Every window start, oldest first, summed over the subreddits. */
  points(): Point[] {
    const byStart = new Map<number, WindowRow[]>();
    for (const row of this.windows.values()) {
      const start = Date.parse(row.windowStart);
      const list = byStart.get(start) ?? [];
      list.push(row);
      byStart.set(start, list);
    }
    return [...byStart.entries()]
      .sort(([a], [b]) => a - b)
      .map(([startMs, rows]) => pointOf(startMs, rows));
  }

  /**
   * The newest window start's keywords and mentions over the subreddits,
   * summed by key, the largest first.
   */
  latestTop(limit: number): {
    startMs: number | null;
    keywords: CountedKey[];
    mentions: CountedKey[];
  } {
    let latest = Number.NEGATIVE_INFINITY;
    for (const row of this.windows.values()) latest = Math.max(latest, Date.parse(row.windowStart));
    if (!Number.isFinite(latest)) return { startMs: null, keywords: [], mentions: [] };
    const rows = [...this.windows.values()].filter((r) => Date.parse(r.windowStart) === latest);
    return {
      startMs: latest,
      keywords: sumKeys(
        rows.map((r) => r.topKeywords),
        limit,
      ),
      mentions: sumKeys(
        rows.map((r) => r.topMentions),
        limit,
      ),
    };
  }
}

function pointOf(startMs: number, rows: readonly WindowRow[]): Point {
  let submissions = 0;
  let comments = 0;
  let weighted = 0;
  let scored = 0;
  let min: number | null = null;
  let max: number | null = null;
  let positive = 0;
  let neutral = 0;
  let negative = 0;
  for (const row of rows) {
    submissions += row.submissions;
    comments += row.comments;
    if (row.sentimentMean !== null && row.sentimentCount > 0) {
      weighted += row.sentimentMean * row.sentimentCount;
      scored += row.sentimentCount;
    }
    if (row.sentimentMin !== null)
      min = min === null ? row.sentimentMin : Math.min(min, row.sentimentMin);
    if (row.sentimentMax !== null)
      max = max === null ? row.sentimentMax : Math.max(max, row.sentimentMax);
    positive += row.positive;
    neutral += row.neutral;
    negative += row.negative;
  }
  return {
    startMs,
    submissions,
    comments,
    mean: scored > 0 ? weighted / scored : null,
    min,
    max,
    positive,
    neutral,
    negative,
  };
}

function sumKeys(lists: readonly (readonly CountedKey[])[], limit: number): CountedKey[] {
  const sums = new Map<string, number>();
  for (const list of lists)
    for (const { key, count } of list) sums.set(key, (sums.get(key) ?? 0) + count);
  return [...sums.entries()]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, limit);
}

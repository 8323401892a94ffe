import { type MinuteContribution } from './minute-counts';
import {
  type JudgedMinutes,
  PartitionTrends,
  type PartitionTrendsOptions,
  type TrendStateDelta,
  type TrendStateItem,
} from './partition-trends';

/** The all-subreddits scope's name in trend rows. */
export const ALL_SUBREDDITS = '*';

/**
 * What one flush of one partition judged: its live subreddit-minutes, and
 * how far its live lane has got (every live minute ending at or before
 * `watermarkMs` is judged and in this report or an earlier one; null: the
 * live lane has ended and holds nothing back).
 */
export interface MinutesReport {
  /** The partition ("topic/partition"). */
  readonly source: string;
  /**
   * A clock tick, not a report: the scope's judge sends one to its own input
   * when nothing arrives, so partitions that went quiet stop holding it back
   * by the input's own timestamps (and the decision stays a function of it).
   */
  readonly tick?: true;
  readonly watermarkMs: number | null;
  readonly minutes: readonly MinuteContribution[];
}

/**
 * A partition that has sent no report for this long (by the reports' own
 * timestamps) no longer holds the scope back: it has no live data now.
 */
const IDLE_MS = 60_000;
/**
 * Partitions make themselves known only by reporting, and after a start (or
 * a catch-up) they do so a few seconds apart: nothing is judged before the
 * first report is this old.
 */
const STARTUP_MS = 15_000;
/** The progress item that keeps how far any partition has reported (no partition is named so). */
const REPORTED = '@reported';
/** The scope sums every subreddit's terms: room for more distinct ones per minute. */
const MINUTE_TERMS_FACTOR = 10;

interface Source {
  watermarkMs: number;
  lastSeenMs: number;
  firstSeenMs: number;
}

/**
 * Trends across every streamed subreddit, judged from the partitions'
 * reports in the order they arrive. A minute is judged once every partition
 * with live data has reported past it (a partition silent for a minute no
 * longer counts), so it holds every subreddit's minute; each subreddit's
 * minute counts once (a report sent again after a crash holds duplicates),
 * and one arriving after its minute was judged is dropped. Every decision
 * depends only on the reports and their timestamps, in arrival order: the
 * same input gives the same trends, however it is cut into batches.
 */
export class AllSubredditsTrends {
  private readonly trends: PartitionTrends;
  private readonly sources = new Map<string, Source>();
  private readonly changedSources = new Set<string>();
  private readonly removedSources = new Set<string>();
  /** Minutes ending at or before this are judged (it only moves forward). */
  private judgedThroughMs = Number.NEGATIVE_INFINITY;
  /** The furthest any partition has reported: complete once every partition is quiet. */
  private reportedThroughMs = Number.NEGATIVE_INFINITY;

  constructor(options: PartitionTrendsOptions) {
    this.trends = new PartitionTrends({
      ...options,
      minuteTerms: options.minuteTerms * MINUTE_TERMS_FACTOR,
    });
  }

  /** Where judging stands (what the checkpoint keeps besides the items). */
  get judgedThrough(): number | null {
    return Number.isFinite(this.judgedThroughMs) ? this.judgedThroughMs : null;
  }

  /**
   * Takes one report, sent at `sentMs` (its timestamp), and judges what it
   * completes. `dropped`: its minutes not counted (duplicates, or late).
   */
  add(report: MinutesReport, sentMs: number): JudgedMinutes & { readonly dropped: number } {
    let dropped = 0;
    if (report.tick) return { ...this.judgeAt(sentMs), dropped };
    for (const minute of report.minutes) {
      if (!this.trends.countContribution(ALL_SUBREDDITS, minute, this.judgedThroughMs)) dropped++;
    }
    if (report.watermarkMs === null) {
      if (this.sources.delete(report.source)) this.removedSources.add(report.source);
      this.changedSources.delete(report.source);
    } else {
      const known = this.sources.get(report.source);
      this.sources.set(report.source, {
        watermarkMs: Math.max(known?.watermarkMs ?? Number.NEGATIVE_INFINITY, report.watermarkMs),
        lastSeenMs: Math.max(known?.lastSeenMs ?? Number.NEGATIVE_INFINITY, sentMs),
        firstSeenMs: Math.min(known?.firstSeenMs ?? Number.POSITIVE_INFINITY, sentMs),
      });
      this.changedSources.add(report.source);
      this.removedSources.delete(report.source);
      this.reportedThroughMs = Math.max(this.reportedThroughMs, report.watermarkMs);
    }
    return { ...this.judgeAt(sentMs), dropped };
  }

  private judgeAt(nowMs: number): JudgedMinutes {
    this.judgedThroughMs = Math.max(this.judgedThroughMs, this.completeThrough(nowMs));
    return this.trends.judge(() => this.judgedThroughMs);
  }

  takeCheckpoint(): TrendStateDelta {
    const delta = this.trends.takeCheckpoint();
    const upserts: TrendStateItem[] = [...delta.upserts];
    for (const source of this.changedSources) {
      const progress = this.sources.get(source);
      if (progress)
        upserts.push({ kind: 'trend-progress', key: source, data: JSON.stringify(progress) });
    }
    if (Number.isFinite(this.reportedThroughMs))
      upserts.push({ kind: 'trend-progress', key: REPORTED, data: String(this.reportedThroughMs) });
    const deletes = [
      ...delta.deletes,
      ...[...this.removedSources].map((key) => ({ kind: 'trend-progress' as const, key })),
    ];
    this.changedSources.clear();
    this.removedSources.clear();
    return { upserts, deletes };
  }

  restore(items: readonly TrendStateItem[], judgedThroughMs: number | null): void {
    this.clear();
    this.trends.restore(items.filter((item) => item.kind !== 'trend-progress'));
    for (const item of items) {
      if (item.kind !== 'trend-progress') continue;
      if (item.key === REPORTED) this.reportedThroughMs = Number(item.data);
      else this.sources.set(item.key, JSON.parse(item.data) as Source);
    }
    this.judgedThroughMs = judgedThroughMs ?? Number.NEGATIVE_INFINITY;
  }

  clear(): void {
    this.trends.clear();
    this.sources.clear();
    this.changedSources.clear();
    this.removedSources.clear();
    this.judgedThroughMs = Number.NEGATIVE_INFINITY;
    this.reportedThroughMs = Number.NEGATIVE_INFINITY;
  }

  /**
   * How far every partition still sending has reported, at `nowMs` (none
   * before STARTUP_MS has passed since the first report).
   */
  private completeThrough(nowMs: number): number {
    let through = Number.POSITIVE_INFINITY;
    let active = 0;
    let startedMs = Number.POSITIVE_INFINITY;
    for (const source of this.sources.values()) startedMs = Math.min(startedMs, source.firstSeenMs);
    if (nowMs < startedMs + STARTUP_MS) return Number.NEGATIVE_INFINITY;
    for (const source of this.sources.values()) {
      if (source.lastSeenMs < nowMs - IDLE_MS) continue;
      active++;
      through = Math.min(through, source.watermarkMs);
    }
    // Every partition quiet or ended: all they reported is complete.
    return active === 0 ? this.reportedThroughMs : through;
  }
}

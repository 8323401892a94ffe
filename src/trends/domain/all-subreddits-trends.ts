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
  /**
   * The partition has had no live data for its idle timeout: it holds
   * nothing back until it reports again without this.
   */
  readonly idle?: true;
  /**
   * More of the same flush follows (a large one is sent in parts, each a
   * Kafka message of bounded size): the watermark and idleness count only
   * with the last part, so no part's minutes arrive after the minute is judged.
   */
  readonly more?: true;
  readonly watermarkMs: number | null;
  readonly minutes: readonly MinuteContribution[];
  /**
   * How many partitions the source's topic has (set by the publisher, which
   * asks Kafka). The scope then knows which partitions to expect before it
   * has heard from each: see AllSubredditsTrends.completeThrough.
   */
  readonly partitions?: number;
}

/**
 * The characters of JSON one report part may carry (a subreddit-minute
 * larger than that goes alone): with multi-byte text at most 768 KiB,
 * under Kafka's default 1 MB message size.
 */
export const REPORT_PART_CHARS = 256 * 1024;

/**
 * A partition that has sent nothing for this long (by the reports' own
 * timestamps) no longer holds the scope back, idle or not. Longer than a
 * partition's failover (session timeout, restore, replay from the
 * checkpoint), which must hold it back: its minutes would be dropped.
 */
const SILENT_MS = 300_000;
/**
 * Partitions make themselves known only by reporting, and after a start (or
 * a catch-up) they do so a few seconds apart: nothing is judged before the
 * first report is this old.
 */
const STARTUP_MS = 15_000;
/** The progress item that keeps how far any partition has reported, and since when (no partition is named so). */
const REPORTED = '@reported';
const MINUTE_MS = 60_000;
/** The scope sums every subreddit's terms: room for more distinct ones per minute. */
const MINUTE_TERMS_FACTOR = 10;

interface Source {
  watermarkMs: number;
  lastSeenMs: number;
  idle?: boolean;
}

interface Reported {
  readonly throughMs: number;
  readonly sinceMs: number;
  /** Partitions per source topic, as the reports said (absent in older checkpoints). */
  readonly partitions?: Record<string, number>;
}

/**
 * Trends across every streamed subreddit, judged from the partitions'
 * reports in the order they arrive. A minute is judged once every partition
 * with live data has reported past it (one that reported itself idle, or
 * ended, or has been silent for SILENT_MS no longer counts), so it holds
 * every subreddit's minute; each subreddit's
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
  /** When the first report arrived (judging waits STARTUP_MS from there). */
  private startedMs = Number.POSITIVE_INFINITY;
  /** Partitions per source topic, as the reports say: each is expected to report. */
  private readonly partitionCounts = new Map<string, number>();

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
    this.startedMs = Math.min(this.startedMs, sentMs);
    if (report.partitions !== undefined) {
      const topic = topicOf(report.source);
      this.partitionCounts.set(
        topic,
        Math.max(this.partitionCounts.get(topic) ?? 0, report.partitions),
      );
    }
    if (report.watermarkMs === null) {
      // The lane ended: it judged every minute it had, the last ones past its
      // watermark, and they are complete as far as it goes.
      for (const minute of report.minutes)
        this.reportedThroughMs = Math.max(this.reportedThroughMs, minute.minuteMs + MINUTE_MS);
    }
    const known = this.sources.get(report.source);
    if (report.more) {
      // Not a silent partition, whatever the rest of its flush will say.
      if (known) {
        known.lastSeenMs = Math.max(known.lastSeenMs, sentMs);
        this.changedSources.add(report.source);
      }
    } else if (report.watermarkMs === null) {
      if (this.sources.delete(report.source)) this.removedSources.add(report.source);
      this.changedSources.delete(report.source);
    } else {
      this.sources.set(report.source, {
        watermarkMs: Math.max(known?.watermarkMs ?? Number.NEGATIVE_INFINITY, report.watermarkMs),
        lastSeenMs: Math.max(known?.lastSeenMs ?? Number.NEGATIVE_INFINITY, sentMs),
        ...(report.idle ? { idle: true } : {}),
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
    if (Number.isFinite(this.startedMs)) {
      const reported: Reported = {
        throughMs: this.reportedThroughMs,
        sinceMs: this.startedMs,
        ...(this.partitionCounts.size > 0
          ? { partitions: Object.fromEntries(this.partitionCounts) }
          : {}),
      };
      upserts.push({ kind: 'trend-progress', key: REPORTED, data: JSON.stringify(reported) });
    }
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
      if (item.key === REPORTED) {
        const reported = JSON.parse(item.data) as Reported;
        // JSON has no -Infinity: a start without any watermark reported yet comes back as null.
        this.reportedThroughMs = reported.throughMs ?? Number.NEGATIVE_INFINITY;
        this.startedMs = reported.sinceMs;
        for (const [topic, count] of Object.entries(reported.partitions ?? {}))
          this.partitionCounts.set(topic, count);
      } else this.sources.set(item.key, JSON.parse(item.data) as Source);
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
    this.startedMs = Number.POSITIVE_INFINITY;
    this.partitionCounts.clear();
  }

  /**
   * How far every partition still sending has reported, at `nowMs` (none
   * before STARTUP_MS has passed since the first report).
   *
   * A partition of a known topic that has not reported yet holds everything
   * back for SILENT_MS from the first report, as a silent one does. Without
   * that, a crash just as a partition's first report was being sent loses
   * its minutes: the server that takes over replays the partitions, and
   * whichever of the others reports first would let the scope judge, with
   * that partition's minutes still to come. A partition that never gets live
   * data only delays the first judging by SILENT_MS, within the scope's
   * warm-up, in which it reports nothing anyway.
   */
  private completeThrough(nowMs: number): number {
    let through = Number.POSITIVE_INFINITY;
    let active = 0;
    if (nowMs < this.startedMs + STARTUP_MS) return Number.NEGATIVE_INFINITY;
    if (nowMs < this.startedMs + SILENT_MS && this.unheardFrom()) return Number.NEGATIVE_INFINITY;
    for (const source of this.sources.values()) {
      if (source.idle === true || source.lastSeenMs < nowMs - SILENT_MS) continue;
      active++;
      through = Math.min(through, source.watermarkMs);
    }
    // Every partition quiet or ended: all they reported is complete.
    return active === 0 ? this.reportedThroughMs : through;
  }

  /** Whether a partition the reports have named (by their topics' counts) has not reported. */
  private unheardFrom(): boolean {
    for (const [topic, count] of this.partitionCounts) {
      for (let partition = 0; partition < count; partition++) {
        if (!this.sources.has(`${topic}/${partition}`)) return true;
      }
    }
    return false;
  }
}

/** The topic of a report's source ("topic/partition"). */
export function topicOf(source: string): string {
  const slash = source.lastIndexOf('/');
  return slash < 0 ? source : source.slice(0, slash);
}

/**
 * A flush's report in parts of at most `maxChars` of JSON each (see
 * REPORT_PART_CHARS), in order: every part but the last says `more`.
 */
export function splitReport(report: MinutesReport, maxChars = REPORT_PART_CHARS): MinutesReport[] {
  const parts: MinutesReport[] = [];
  let minutes: MinuteContribution[] = [];
  // The array's JSON: brackets, and a comma after all but the last.
  let chars = 1;
  for (const minute of report.minutes) {
    const size = JSON.stringify(minute).length + 1;
    if (minutes.length > 0 && chars + size > maxChars) {
      parts.push({ source: report.source, more: true, watermarkMs: report.watermarkMs, minutes });
      minutes = [];
      chars = 1;
    }
    minutes.push(minute);
    chars += size;
  }
  parts.push({ ...report, minutes });
  return parts;
}

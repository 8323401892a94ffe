import { RateBaseline, type RateBaselineJSON } from './rate-baseline';

const MINUTE_MS = 60_000;

/** One completed minute of a subreddit, as its 1-minute window counted it. */
export interface MinuteActivity {
  readonly minuteMs: number;
  readonly events: number;
  /** Sum and count of the scored events' sentiment. */
  readonly sentimentSum: number;
  readonly sentimentCount: number;
}

/** A subreddit's mood or activity far from its own baseline. */
export interface Shift {
  readonly scope: string;
  readonly kind: 'mood' | 'burst';
  readonly direction: 'up' | 'down';
  readonly minuteMs: number;
  /** Mean sentiment of the minute, or its events. */
  readonly value: number;
  /** What the baseline expected. */
  readonly expected: number;
  /** Standard deviations from the expectation (signed). */
  readonly score: number;
  /** First minute of the shift that this minute continues. */
  readonly sinceMs: number;
}

export interface ShiftOptions {
  /** Smoothing per minute of the baselines (fast: activity; slow: activity and mood). */
  readonly fastAlpha: number;
  readonly slowAlpha: number;
  /** Minutes of history before anything is reported. */
  readonly warmupMinutes: number;
  /** A minute's mean sentiment counts only with this many scored events. */
  readonly moodMinEvents: number;
  /** Least move of the mean sentiment (on [-1, 1]) reported as a shift. */
  readonly moodMinDelta: number;
  /** Least standard deviation assumed for minute means (noise floor). */
  readonly moodMinStdDev: number;
  readonly minScore: number;
  /** A burst: at least this many events in the minute, and this many times the expected. */
  readonly burstMinEvents: number;
  readonly burstMinRatio: number;
}

export const DEFAULT_SHIFT_OPTIONS: ShiftOptions = {
  fastAlpha: 2 / 31,
  slowAlpha: 2 / 361,
  warmupMinutes: 10,
  moodMinEvents: 20,
  moodMinDelta: 0.15,
  moodMinStdDev: 0.05,
  minScore: 4,
  burstMinEvents: 20,
  burstMinRatio: 3,
};

export interface SubredditShiftsJSON {
  readonly activity: RateBaselineJSON;
  readonly moodMean: number;
  readonly moodVariance: number;
  readonly moodMinutes: number;
  readonly since: Readonly<Record<string, number>>;
  readonly last: Readonly<Record<string, number>>;
}

/**
 * Mood shifts and activity bursts of one subreddit, each judged against the
 * subreddit's own history: the mean sentiment of a minute against the slow
 * mean of its minute means (both directions), and its events against the
 * expected rate (upwards; a quiet minute is not news).
 */
export class SubredditShifts {
  private constructor(
    private readonly activity: RateBaseline,
    private moodMean: number,
    private moodVariance: number,
    private moodMinutes: number,
    /** Per kind and direction: the first and the last minute of the current shift. */
    private readonly since: Map<string, number>,
    private readonly last: Map<string, number>,
  ) {}

  static startingAt(minuteMs: number): SubredditShifts {
    return new SubredditShifts(RateBaseline.startingAt(minuteMs), 0, 0, 0, new Map(), new Map());
  }

  /**
   * A subreddit silent since `lastMinuteMs` long enough that its activity
   * baseline is as good as zero: past its warm-up (it has judged minutes
   * since `firstMinuteMs`), expecting nothing, its mood to be learnt again.
   */
  static resting(firstMinuteMs: number, lastMinuteMs: number): SubredditShifts {
    const activity = RateBaseline.fromJSON({
      fast: 0,
      slow: 0,
      variance: 0,
      lastMinuteMs,
      minutes: Math.round((lastMinuteMs - firstMinuteMs) / 60_000) + 1,
    });
    return new SubredditShifts(activity, 0, 0, 0, new Map(), new Map());
  }

  static fromJSON(json: SubredditShiftsJSON): SubredditShifts {
    return new SubredditShifts(
      RateBaseline.fromJSON(json.activity),
      json.moodMean,
      json.moodVariance,
      json.moodMinutes,
      new Map(Object.entries(json.since)),
      new Map(Object.entries(json.last)),
    );
  }

  toJSON(): SubredditShiftsJSON {
    return {
      activity: this.activity.toJSON(),
      moodMean: this.moodMean,
      moodVariance: this.moodVariance,
      moodMinutes: this.moodMinutes,
      since: Object.fromEntries(this.since),
      last: Object.fromEntries(this.last),
    };
  }

  /** Judges a completed minute (later than the last one), then folds it in. */
  observe(scope: string, minute: MinuteActivity, options: ShiftOptions): Shift[] {
    if (minute.minuteMs <= this.activity.lastMinute) return [];
    const shifts: Shift[] = [];
    const warm = this.activity.minutes >= options.warmupMinutes;

    const { mean, variance } = this.activity.expectedAt(minute.minuteMs, options);
    const expectedEvents = Math.max(mean, 1);
    const burstScore = (minute.events - expectedEvents) / Math.sqrt(expectedEvents + variance);
    if (
      warm &&
      minute.events >= options.burstMinEvents &&
      minute.events >= expectedEvents * options.burstMinRatio &&
      burstScore >= options.minScore
    ) {
      shifts.push(
        this.shift(scope, 'burst', 'up', minute, minute.events, expectedEvents, burstScore),
      );
    }
    this.activity.add(minute.minuteMs, minute.events, options);

    if (minute.sentimentCount >= options.moodMinEvents) {
      const value = minute.sentimentSum / minute.sentimentCount;
      const sd = Math.max(Math.sqrt(this.moodVariance), options.moodMinStdDev);
      const score = (value - this.moodMean) / sd;
      if (
        this.moodMinutes >= options.warmupMinutes &&
        Math.abs(value - this.moodMean) >= options.moodMinDelta &&
        Math.abs(score) >= options.minScore
      ) {
        const direction = score > 0 ? 'up' : 'down';
        shifts.push(this.shift(scope, 'mood', direction, minute, value, this.moodMean, score));
      }
      this.foldMood(value, options.slowAlpha * 4);
    }
    return shifts;
  }

  private foldMood(value: number, alpha: number): void {
    if (this.moodMinutes === 0) {
      this.moodMean = value;
    } else {
      const diff = value - this.moodMean;
      const increment = alpha * diff;
      this.moodMean += increment;
      this.moodVariance = (1 - alpha) * (this.moodVariance + diff * increment);
    }
    this.moodMinutes++;
  }

  private shift(
    scope: string,
    kind: Shift['kind'],
    direction: Shift['direction'],
    minute: MinuteActivity,
    value: number,
    expected: number,
    score: number,
  ): Shift {
    const key = `${kind}:${direction}`;
    const continues = this.last.get(key) === minute.minuteMs - MINUTE_MS;
    const sinceMs = continues ? (this.since.get(key) ?? minute.minuteMs) : minute.minuteMs;
    this.since.set(key, sinceMs);
    this.last.set(key, minute.minuteMs);
    return { scope, kind, direction, minuteMs: minute.minuteMs, value, expected, score, sinceMs };
  }
}

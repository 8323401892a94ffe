import {
  type MinuteContribution,
  MinuteCounts,
  type MinuteCountsJSON,
  TERM_KINDS,
  type TermKind,
  type TrendEvent,
} from './minute-counts';
import { normalUpperTail, poissonUpperTail } from './poisson';
import {
  type Shift,
  type ShiftOptions,
  SubredditShifts,
  type SubredditShiftsJSON,
} from './subreddit-shifts';
import { type TermStateJSON, TermTable, type TermTableHeader } from './term-trends';
import { type TrendOptions } from './trend-options';

const MINUTE_MS = 60_000;
const LIVE_LANE = 'live';
const SEP = '\u0000';
/** Event time between sweeps of a lane's idle scopes (memory only; see `sweepIdle`). */
const SWEEP_EVERY_MS = 10 * MINUTE_MS;

export interface PartitionTrendsOptions {
  readonly terms: TrendOptions;
  readonly shifts: ShiftOptions;
  /** Distinct keywords (and, apart, mentions) one subreddit-minute counts exactly. */
  readonly minuteTerms: number;
  /**
   * Minutes a subreddit may go without a judged minute before its history
   * is dropped down to its first and last minute (default a day). By then
   * its baselines keep (1 - slowAlpha)^1440, about 0.03%, of their level:
   * below the floor rate for any term seen fewer than ~600 times a minute.
   * So when it comes back it is judged as it would have been, except that
   * its terms are new again for the warm-up and its mood is learnt anew.
   */
  readonly idleScopeMinutes?: number;
  /** Minutes after which a dropped subreddit is forgotten altogether, warm-up included (default 30 days). */
  readonly forgetScopeMinutes?: number;
}

/** A rising term, a mood shift or an activity burst, as found in one judged minute. */
export interface TrendFinding {
  /** The event-time lane it was found in: "live", or a replay's "backfill:<stream id>". */
  readonly lane: string;
  /** The subreddit. */
  readonly scope: string;
  readonly kind: TermKind | 'mood' | 'burst';
  /** The term; for mood and bursts, the direction ("up" or "down"). */
  readonly term: string;
  /** The minute judged (its start). */
  readonly minuteMs: number;
  /** The term's count or the events in the minute; for mood, the minute's mean sentiment. */
  readonly value: number;
  /** What the scope's history predicted for `value`. */
  readonly expected: number;
  /** Standard deviations from the expectation (negative for a mood turning down). */
  readonly score: number;
  /** 1 minus the probability of a value this far out by chance at the expected rate or level. */
  readonly confidence: number;
  /** First minute of the rise or shift this minute continues. */
  readonly sinceMs: number;
  /** A term with less than the warm-up's history in the scope. */
  readonly isNew: boolean;
}

export interface JudgedMinutes {
  readonly findings: TrendFinding[];
  /** Minutes judged. */
  readonly minutes: number;
  /** The live minutes judged, for the all-subreddits scope. */
  readonly contributions: MinuteContribution[];
}

/** A piece of trend state as the checkpoint stores it. */
export interface TrendStateItem {
  /** trend-progress: the all-subreddits scope's view of each partition (AllSubredditsTrends). */
  readonly kind: 'trend-minute' | 'trend-scope' | 'trend-term' | 'trend-progress';
  readonly key: string;
  readonly data: string;
}

export function isTrendStateItem(item: { readonly kind: string }): item is TrendStateItem {
  return (
    item.kind === 'trend-minute' ||
    item.kind === 'trend-scope' ||
    item.kind === 'trend-term' ||
    item.kind === 'trend-progress'
  );
}

export interface TrendStateDelta {
  readonly upserts: readonly TrendStateItem[];
  readonly deletes: readonly Pick<TrendStateItem, 'kind' | 'key'>[];
}

interface OpenMinute {
  readonly lane: string;
  readonly subreddit: string;
  readonly minuteMs: number;
  readonly counts: MinuteCounts;
}

interface Scope {
  readonly lane: string;
  readonly subreddit: string;
  readonly tables: Map<TermKind, TermTable>;
  shifts: SubredditShifts | null;
}

interface ScopeJSON {
  readonly tables: Partial<Record<TermKind, TermTableHeader>>;
  readonly shifts: SubredditShiftsJSON | null;
}

/** A scope idle past the limit: all its revival needs (its first and last judged minute). */
interface DormantScope {
  readonly firstMinuteMs: number;
  readonly lastMinuteMs: number;
}

/**
 * A dormant scope as checkpointed: shaped as a scope with one empty table,
 * so that a server of an earlier version restoring it (a rollback) reads a
 * subreddit with no history rather than failing on the partition.
 */
interface DormantScopeJSON extends ScopeJSON {
  readonly dormant: true;
  readonly tables: { readonly keyword: TermTableHeader };
  readonly shifts: null;
}

const pad = (ms: number): string => String(ms).padStart(15, '0');

/**
 * Trend detection for the subreddits of one Kafka partition, one detector
 * per subreddit and event-time lane (live data and each replay apart, each
 * in its own time).
 *
 * Exactly once, like the windows: a minute counts the events that reached
 * it while their lane's watermark was still before the minute's end (the
 * caller passes that watermark), and it is judged once the watermark has
 * passed the end, so its counts no longer change and do not depend on when
 * the judging happens; later events of a judged minute are late for trends
 * (the window rows still count them). Every decision is then a function of
 * the partition's messages in offset order, and the state is checkpointed
 * with the windows: a replay after a crash or a rebalance judges the same
 * minutes with the same counts and finds the same trends.
 *
 * The checkpoint gets only what changed: open minutes counted into, the
 * terms a judged minute touched, and terms forgotten beyond the capacity.
 */
export class PartitionTrends {
  private readonly minutes = new Map<string, OpenMinute>();
  private readonly scopes = new Map<string, Scope>();
  private readonly dirtyMinutes = new Set<string>();
  private readonly judgedMinutes = new Set<string>();
  private readonly dirtyScopes = new Set<string>();
  private readonly termDeletes: string[] = [];
  private readonly scopeDeletes: string[] = [];
  private readonly dormant = new Map<string, DormantScope>();
  /** Per lane, the latest minute judged when its idle scopes were last swept (memory only). */
  private readonly sweptAt = new Map<string, number>();
  private readonly idleMs: number;
  private readonly forgetMs: number;

  constructor(private readonly options: PartitionTrendsOptions) {
    this.idleMs = (options.idleScopeMinutes ?? 24 * 60) * MINUTE_MS;
    this.forgetMs = (options.forgetScopeMinutes ?? 30 * 24 * 60) * MINUTE_MS;
  }

  /** Minutes counted into and not yet judged. */
  get openMinutes(): number {
    return this.minutes.size;
  }

  /** Subreddits (and lanes) with a history held, and those dropped to their first and last minute. */
  get scopeCounts(): { readonly active: number; readonly dormant: number } {
    return { active: this.scopes.size, dormant: this.dormant.size };
  }

  /** Terms with a baseline, over every subreddit and kind. */
  get trackedTerms(): number {
    let total = 0;
    for (const scope of this.scopes.values())
      for (const table of scope.tables.values()) total += table.size;
    return total;
  }

  /**
   * Counts an event the windows counted, judged by `watermarkBeforeMs`, its
   * lane's watermark just before it, and `closedThroughMs`, how far the lane
   * had closed everything when it last ended: a minute either has passed is
   * judged (or may be at any flush) and the event is late for trends.
   */
  count(
    event: TrendEvent,
    watermarkBeforeMs: number,
    closedThroughMs = Number.NEGATIVE_INFINITY,
  ): void {
    const minuteMs = Math.floor(event.eventTimeMs / MINUTE_MS) * MINUTE_MS;
    if (isSettled(minuteMs, watermarkBeforeMs, closedThroughMs)) return;
    const lane = event.lane ?? LIVE_LANE;
    const key = `${lane}${SEP}${event.subreddit}${SEP}${pad(minuteMs)}`;
    let minute = this.minutes.get(key);
    if (!minute) {
      minute = {
        lane,
        subreddit: event.subreddit,
        minuteMs,
        counts: MinuteCounts.empty(this.options.minuteTerms),
      };
      this.minutes.set(key, minute);
      this.judgedMinutes.delete(key);
    }
    minute.counts.add(event);
    this.dirtyMinutes.add(key);
  }

  /**
   * Judges every minute its lane's watermark has passed, oldest first per
   * subreddit, and returns what rose or shifted. A backfill lane that has
   * ended (watermark +Infinity) is judged to its end and then forgotten.
   *
   * `closedThroughOf` keeps a live lane that ended and resumed exact: at its
   * end every minute it had reached became due (watermark +Infinity) with
   * the counts it had then. After it resumes, its watermark falls back
   * behind those minutes, and whether a flush came in between must not
   * decide whether they are judged, or with which counts: they stay due,
   * and `count` refuses events for them.
   */
  judge(
    watermarkOf: (lane: string) => number,
    closedThroughOf: (lane: string) => number = () => Number.NEGATIVE_INFINITY,
  ): JudgedMinutes {
    const findings: TrendFinding[] = [];
    const contributions: MinuteContribution[] = [];
    let minutes = 0;
    const endedLanes = new Set<string>();
    const latestJudged = new Map<string, number>();
    for (const key of [...this.minutes.keys()].sort()) {
      const minute = this.minutes.get(key);
      if (!minute) continue;
      const watermark = watermarkOf(minute.lane);
      if (!isSettled(minute.minuteMs, watermark, closedThroughOf(minute.lane))) continue;
      if (watermark === Number.POSITIVE_INFINITY && minute.lane !== LIVE_LANE)
        endedLanes.add(minute.lane);
      this.minutes.delete(key);
      this.dirtyMinutes.delete(key);
      this.judgedMinutes.add(key);
      latestJudged.set(minute.lane, Math.max(latestJudged.get(minute.lane) ?? 0, minute.minuteMs));
      minutes++;
      findings.push(...this.judgeMinute(minute));
      if (minute.lane === LIVE_LANE)
        contributions.push(minute.counts.contribution(minute.subreddit, minute.minuteMs));
    }
    for (const scope of this.scopes.values()) {
      if (scope.lane !== LIVE_LANE && watermarkOf(scope.lane) === Number.POSITIVE_INFINITY)
        endedLanes.add(scope.lane);
    }
    for (const lane of endedLanes) this.forgetLane(lane);
    for (const [lane, latestMs] of latestJudged)
      if (!endedLanes.has(lane)) this.sweepIdle(lane, latestMs);
    return { findings, minutes, contributions };
  }

  /**
   * Counts a whole subreddit-minute into the minute of `scope` (the
   * all-subreddits scope), judged by `watermarkBeforeMs` as `count` judges
   * an event. Returns false when it was not counted: late (the minute may
   * be judged) or a duplicate (that subreddit's minute is already in).
   */
  countContribution(
    scope: string,
    contribution: MinuteContribution,
    watermarkBeforeMs: number,
  ): boolean {
    const { minuteMs } = contribution;
    if (watermarkBeforeMs >= minuteMs + MINUTE_MS) return false;
    const key = `${LIVE_LANE}${SEP}${scope}${SEP}${pad(minuteMs)}`;
    let minute = this.minutes.get(key);
    if (!minute) {
      minute = {
        lane: LIVE_LANE,
        subreddit: scope,
        minuteMs,
        counts: MinuteCounts.empty(this.options.minuteTerms),
      };
      this.minutes.set(key, minute);
      this.judgedMinutes.delete(key);
    }
    if (!minute.counts.addContribution(contribution)) return false;
    this.dirtyMinutes.add(key);
    return true;
  }

  /** What changed since the last call, for the checkpoint; its values are as they stand now. */
  takeCheckpoint(): TrendStateDelta {
    const upserts: TrendStateItem[] = [];
    const deletes: Pick<TrendStateItem, 'kind' | 'key'>[] = [];
    for (const key of this.dirtyMinutes) {
      const minute = this.minutes.get(key);
      if (minute)
        upserts.push({ kind: 'trend-minute', key, data: JSON.stringify(minute.counts.toJSON()) });
    }
    for (const key of this.judgedMinutes) deletes.push({ kind: 'trend-minute', key });
    for (const key of this.dirtyScopes) {
      const dormant = this.dormant.get(key);
      if (dormant) {
        const json: DormantScopeJSON = {
          dormant: true,
          tables: { keyword: dormant },
          shifts: null,
        };
        upserts.push({ kind: 'trend-scope', key, data: JSON.stringify(json) });
        continue;
      }
      const scope = this.scopes.get(key);
      if (!scope) continue;
      const tables: Partial<Record<TermKind, TermTableHeader>> = {};
      for (const [kind, table] of scope.tables) {
        const changes = table.takeChanges();
        tables[kind] = table.toHeader();
        for (const [term, state] of changes.upserts)
          upserts.push({
            kind: 'trend-term',
            key: termKey(key, kind, term),
            data: JSON.stringify(state),
          });
        for (const term of changes.deletes)
          deletes.push({ kind: 'trend-term', key: termKey(key, kind, term) });
      }
      const json: ScopeJSON = { tables, shifts: scope.shifts?.toJSON() ?? null };
      upserts.push({ kind: 'trend-scope', key, data: JSON.stringify(json) });
    }
    // A scope dropped and back within one checkpoint deletes and upserts the
    // same items; in one batch the delete would win, so it is left out.
    const upserted = new Set(upserts.map((u) => `${u.kind}${SEP}${u.key}`));
    for (const key of this.termDeletes)
      if (!upserted.has(`trend-term${SEP}${key}`)) deletes.push({ kind: 'trend-term', key });
    for (const key of this.scopeDeletes)
      if (!upserted.has(`trend-scope${SEP}${key}`)) deletes.push({ kind: 'trend-scope', key });
    this.dirtyMinutes.clear();
    this.judgedMinutes.clear();
    this.dirtyScopes.clear();
    this.termDeletes.length = 0;
    this.scopeDeletes.length = 0;
    return { upserts, deletes };
  }

  /** Rebuilds the state from checkpointed items (replacing whatever is held). */
  restore(items: Iterable<TrendStateItem>): void {
    this.clear();
    const terms = new Map<string, [string, TermStateJSON][]>();
    const scopes: [string, ScopeJSON][] = [];
    for (const item of items) {
      if (item.kind === 'trend-minute') {
        const [lane = LIVE_LANE, subreddit = '', minute = '0'] = item.key.split(SEP);
        this.minutes.set(item.key, {
          lane,
          subreddit,
          minuteMs: Number(minute),
          counts: MinuteCounts.fromJSON(JSON.parse(item.data) as MinuteCountsJSON),
        });
      } else if (item.kind === 'trend-scope') {
        const json = JSON.parse(item.data) as ScopeJSON | DormantScopeJSON;
        if ('dormant' in json) this.dormant.set(item.key, json.tables.keyword);
        else scopes.push([item.key, json]);
      } else if (item.kind === 'trend-term') {
        const [lane, subreddit, kind, term] = item.key.split(SEP);
        const table = `${lane}${SEP}${subreddit}${SEP}${kind}`;
        const list = terms.get(table) ?? [];
        list.push([term ?? '', JSON.parse(item.data) as TermStateJSON]);
        terms.set(table, list);
      }
    }
    for (const [key, json] of scopes) {
      const [lane = LIVE_LANE, subreddit = ''] = key.split(SEP);
      const tables = new Map<TermKind, TermTable>();
      for (const kind of TERM_KINDS) {
        const header = json.tables[kind];
        if (header)
          tables.set(kind, TermTable.fromParts(header, terms.get(`${key}${SEP}${kind}`) ?? []));
      }
      this.scopes.set(key, {
        lane,
        subreddit,
        tables,
        shifts: json.shifts ? SubredditShifts.fromJSON(json.shifts) : null,
      });
    }
  }

  /** Forgets everything (the partition is rebuilt from its checkpoint). */
  clear(): void {
    this.minutes.clear();
    this.scopes.clear();
    this.dirtyMinutes.clear();
    this.judgedMinutes.clear();
    this.dirtyScopes.clear();
    this.termDeletes.length = 0;
    this.scopeDeletes.length = 0;
    this.dormant.clear();
    this.sweptAt.clear();
  }

  private judgeMinute(minute: OpenMinute): TrendFinding[] {
    const scopeKey = `${minute.lane}${SEP}${minute.subreddit}`;
    let scope = this.scopes.get(scopeKey);
    // Judged by the minute itself, so that whether a sweep got there first changes nothing.
    if (scope && idleBefore(scope, minute.minuteMs - this.idleMs)) {
      this.putToSleep(scopeKey, scope);
      scope = undefined;
    }
    scope ??= this.wake(scopeKey, minute);
    this.dirtyScopes.add(scopeKey);
    const findings: TrendFinding[] = [];
    const { lane, subreddit, minuteMs, counts } = minute;
    // Every kind is judged every minute (most with nothing counted), so all
    // of a subreddit's tables share its warm-up.
    for (const [kind, terms] of counts.byKind()) {
      let table = scope.tables.get(kind);
      if (!table) {
        table = TermTable.empty();
        scope.tables.set(kind, table);
      }
      for (const rising of table.observe(subreddit, kind, minuteMs, terms, this.options.terms)) {
        findings.push({
          lane,
          scope: subreddit,
          kind,
          term: rising.term,
          minuteMs,
          value: rising.count,
          expected: rising.expected,
          score: rising.score,
          confidence: rising.confidence,
          sinceMs: rising.risingSinceMs,
          isNew: rising.isNew,
        });
      }
    }
    scope.shifts ??= SubredditShifts.startingAt(minuteMs);
    const shifts = scope.shifts.observe(
      subreddit,
      {
        minuteMs,
        events: counts.events,
        sentimentSum: counts.sentimentSum,
        sentimentCount: counts.sentimentCount,
      },
      this.options.shifts,
    );
    for (const shift of shifts) findings.push(shiftFinding(lane, shift));
    return findings;
  }

  /**
   * A scope for `minute`'s subreddit: new, or woken from its dormant record.
   * A woken scope has its first and last minute and nothing else: it is
   * past its warm-up, every baseline at zero (what a day of silence leaves
   * of them), its terms new, its mood to be learnt again.
   */
  private wake(key: string, minute: OpenMinute): Scope {
    const dormant = this.dormant.get(key);
    this.dormant.delete(key);
    const scope: Scope = {
      lane: minute.lane,
      subreddit: minute.subreddit,
      tables: new Map(),
      shifts: null,
    };
    if (dormant && dormant.lastMinuteMs >= minute.minuteMs - this.forgetMs) {
      for (const kind of TERM_KINDS) scope.tables.set(kind, TermTable.fromParts(dormant, []));
      scope.shifts = SubredditShifts.resting(dormant.firstMinuteMs, dormant.lastMinuteMs);
    }
    this.scopes.set(key, scope);
    return scope;
  }

  /** Drops a scope's history down to its dormant record, deleting its checkpointed terms. */
  private putToSleep(key: string, scope: Scope): void {
    this.deleteTerms(key, scope);
    this.scopes.delete(key);
    this.dormant.set(key, spanOf(scope));
    this.dirtyScopes.add(key);
  }

  /**
   * Every ten minutes of a lane's event time: drops the scopes that judged
   * nothing in the idle limit before `latestMs`, the latest minute the lane
   * just judged, and forgets the dormant ones past the forget limit. This
   * frees only what judging would drop anyway: every minute counted from
   * now on is at least the lane's watermark minus a minute, so after
   * `latestMs` (a lane that ended and resumed refuses the minutes it had
   * closed), and a scope swept here would be dropped, or forgotten, when it
   * next judged a minute. What is judged, and so every finding, is the same
   * whenever the sweeps run (they follow the flushes, not the messages).
   */
  private sweepIdle(lane: string, latestMs: number): void {
    const last = this.sweptAt.get(lane);
    if (last !== undefined && latestMs < last + SWEEP_EVERY_MS) return;
    this.sweptAt.set(lane, latestMs);
    for (const [key, scope] of this.scopes) {
      if (scope.lane === lane && idleBefore(scope, latestMs - this.idleMs))
        this.putToSleep(key, scope);
    }
    for (const [key, dormant] of this.dormant) {
      if (key.startsWith(`${lane}${SEP}`) && dormant.lastMinuteMs < latestMs - this.forgetMs)
        this.forgetDormant(key);
    }
  }

  private forgetLane(lane: string): void {
    this.sweptAt.delete(lane);
    for (const [key, scope] of this.scopes) {
      if (scope.lane !== lane) continue;
      this.deleteTerms(key, scope);
      this.scopes.delete(key);
      this.forgetScopeItem(key);
    }
    for (const key of this.dormant.keys())
      if (key.startsWith(`${lane}${SEP}`)) this.forgetDormant(key);
  }

  /** Deletes the checkpointed terms of a scope that is dropped. */
  private deleteTerms(key: string, scope: Scope): void {
    for (const [kind, table] of scope.tables) {
      const { deletes } = table.takeChanges();
      for (const term of [...table.termNames(), ...deletes])
        this.termDeletes.push(termKey(key, kind, term));
    }
  }

  private forgetDormant(key: string): void {
    this.dormant.delete(key);
    this.forgetScopeItem(key);
  }

  private forgetScopeItem(key: string): void {
    this.dirtyScopes.delete(key);
    this.scopeDeletes.push(key);
  }
}

/** Whether the scope has judged nothing since before `cutoffMs` (a scope not yet judged has not). */
function idleBefore(scope: Scope, cutoffMs: number): boolean {
  return scope.tables.size > 0 && spanOf(scope).lastMinuteMs < cutoffMs;
}

/** A scope's first and last judged minute (every kind is judged every minute). */
function spanOf(scope: Scope): DormantScope {
  let firstMinuteMs = Number.POSITIVE_INFINITY;
  let lastMinuteMs = Number.NEGATIVE_INFINITY;
  for (const table of scope.tables.values()) {
    const header = table.toHeader();
    firstMinuteMs = Math.min(firstMinuteMs, header.firstMinuteMs);
    lastMinuteMs = Math.max(lastMinuteMs, header.lastMinuteMs);
  }
  return { firstMinuteMs, lastMinuteMs };
}

/** Whether the minute starting at `minuteMs` no longer takes events: see `count`. */
function isSettled(minuteMs: number, watermarkMs: number, closedThroughMs: number): boolean {
  return watermarkMs >= minuteMs + MINUTE_MS || closedThroughMs >= minuteMs;
}

function termKey(scopeKey: string, kind: TermKind, term: string): string {
  return `${scopeKey}${SEP}${kind}${SEP}${term}`;
}

function shiftFinding(lane: string, shift: Shift): TrendFinding {
  const confidence =
    shift.kind === 'burst'
      ? 1 - poissonUpperTail(Math.round(shift.value), shift.expected)
      : 1 - normalUpperTail(Math.abs(shift.score));
  return {
    lane,
    scope: shift.scope,
    kind: shift.kind,
    term: shift.direction,
    minuteMs: shift.minuteMs,
    value: shift.value,
    expected: shift.expected,
    score: shift.score,
    confidence,
    sinceMs: shift.sinceMs,
    isNew: false,
  };
}

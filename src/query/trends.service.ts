import { Injectable } from '@nestjs/common';
import { Clock } from '@app/common/clock';
import { parseDuration } from '@app/common/window-spec';
import { AppError } from '@app/common/app-error';
import { subredditKey } from '@app/events/reddit-event';
import { TrendStore } from '@app/storage/ports';
import { type TrendRecord } from '@app/storage/records';

const DEFAULT_WINDOW = '15m';
const MAX_WINDOW_MS = 7 * 86_400_000;
const DEFAULT_LIMIT = 20;

export interface TrendsRequest {
  readonly scope?: string;
  readonly kind?: string;
  readonly window?: string;
  readonly until?: string;
  readonly limit?: number;
}

/** One term (or shift) over the look-back: its latest minute and how strong it got. */
export interface RankedTrend {
  readonly latest: TrendRecord;
  readonly peakScore: number;
  readonly minutes: number;
}

export interface TrendsResult {
  readonly scope: string | null;
  readonly kind: string | null;
  readonly fromMs: number;
  readonly untilMs: number;
  readonly trends: RankedTrend[];
}

/** Reads trend findings for the API: what rose in a look-back, strongest first. */
@Injectable()
export class TrendsService {
  constructor(
    private readonly store: TrendStore,
    private readonly clock: Clock,
  ) {}

  async find(request: TrendsRequest): Promise<TrendsResult> {
    const windowMs = parseDuration(request.window ?? DEFAULT_WINDOW);
    if (windowMs > MAX_WINDOW_MS) {
      throw new AppError('INVALID_INPUT', 'window must be at most 7d', { field: 'window' });
    }
    const untilMs = request.until === undefined ? this.clock.now() : Date.parse(request.until);
    const fromMs = untilMs - windowMs;
    const scope =
      request.scope === undefined || request.scope === '*'
        ? (request.scope ?? null)
        : subredditKey(request.scope);
    const kind = request.kind ?? null;
    const rows = await this.store.findTrends({ fromMs, toMs: untilMs });
    const groups = new Map<string, { latest: TrendRecord; peakScore: number; minutes: number }>();
    for (const row of rows) {
      if (scope !== null && row.scope !== scope) continue;
      if (kind !== null && row.kind !== kind) continue;
      const key = `${row.scope}|${row.kind}|${row.term}|${row.lane}`;
      const group = groups.get(key);
      const strength = Math.abs(row.score);
      if (!group) {
        groups.set(key, { latest: row, peakScore: strength, minutes: 1 });
        continue;
      }
      group.minutes++;
      group.peakScore = Math.max(group.peakScore, strength);
      if (row.minuteMs > group.latest.minuteMs) group.latest = row;
    }
    const trends = [...groups.values()]
      .sort(
        (a, b) =>
          b.peakScore - a.peakScore ||
          b.latest.minuteMs - a.latest.minuteMs ||
          a.latest.term.localeCompare(b.latest.term),
      )
      .slice(0, request.limit ?? DEFAULT_LIMIT);
    return { scope, kind, fromMs, untilMs, trends };
  }
}

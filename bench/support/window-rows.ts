import { Client, types } from 'cassandra-driver';

/** UTC day ("YYYY-MM-DD") of a time, as the server buckets window rows. */
export function utcDayOf(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}

/** Every UTC day from the one holding `fromMs` to the one holding `toMs`. */
export function utcDaysBetween(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  const dayMs = 86_400_000;
  for (let t = Math.floor(fromMs / dayMs) * dayMs; t <= toMs; t += dayMs) days.push(utcDayOf(t));
  return days;
}

export interface WindowCount {
  readonly subreddit: string;
  readonly windowStartMs: number;
  /** submissions + comments: the events the window has counted so far. */
  readonly events: number;
}

function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (value instanceof types.Long) return value.toNumber();
  return Number(value);
}

/**
 * Reads what a client of the server would see: the rows of
 * `<keyspace>.windows_by_subreddit_day` for one window spec. Only the key and
 * the two count columns are selected, so columns added later do not matter.
 */
export class WindowRowsReader {
  private readonly client: Client;
  private readonly cql: string;

  constructor(contactPoints: readonly string[], localDataCenter: string, keyspace: string) {
    this.client = new Client({ contactPoints: [...contactPoints], localDataCenter });
    this.cql = `SELECT subreddit, window_start, submissions, comments
      FROM ${keyspace}.windows_by_subreddit_day
      WHERE subreddit IN ? AND window_spec = ? AND day IN ? AND window_start >= ?`;
  }

  connect(): Promise<void> {
    return this.client.connect();
  }

  shutdown(): Promise<void> {
    return this.client.shutdown();
  }

  /** The windows of `windowSpec` starting at or after `fromMs` of a few subreddits over `days`. */
  async windows(
    subreddits: readonly string[],
    windowSpec: string,
    days: readonly string[],
    fromMs = 0,
  ): Promise<WindowCount[]> {
    const result = await this.client.execute(
      this.cql,
      [
        [...subreddits],
        windowSpec,
        days.map((day) => types.LocalDate.fromString(day)),
        new Date(fromMs),
      ],
      { prepare: true },
    );
    return result.rows.map((row) => ({
      subreddit: row.get('subreddit') as string,
      windowStartMs: (row.get('window_start') as Date).getTime(),
      events: toNumber(row.get('submissions')) + toNumber(row.get('comments')),
    }));
  }

  /** Events counted in every window of `windowSpec` of all `subreddits` over `days`. */
  async totalEvents(
    subreddits: readonly string[],
    windowSpec: string,
    days: readonly string[],
  ): Promise<number> {
    // A few subreddits per query: small IN lists, several queries in parallel.
    const chunks: string[][] = [];
    for (let i = 0; i < subreddits.length; i += 10) chunks.push(subreddits.slice(i, i + 10));
    const perChunk = await Promise.all(
      chunks.map((chunk) => this.windows(chunk, windowSpec, days)),
    );
    return perChunk.flat().reduce((sum, w) => sum + w.events, 0);
  }
}

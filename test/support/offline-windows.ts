import { type Client as CassandraClient, type types } from 'cassandra-driver';
import { type Client as PgClient } from 'pg';
import { type RedditEvent } from '@app/events/reddit-event';
import { analyzeRedditText } from '@app/nlp/domain/analysis';
import { type SentimentLabel, type SentimentScorer } from '@app/nlp/domain/sentiment';

/**
 * The window rows a correct server must store, computed offline by brute force
 * and independently of src/streaming: each distinct event (first delivery of
 * each fullname) is added to every window it falls in. Also reads the stored
 * rows from Cassandra and the warehouse into the same shape, and compares.
 */

export interface OfflineWindowSpec {
  /** As written in WINDOW_SPECS and stored in window_spec: "1m", "5m/1m". */
  readonly name: string;
  readonly sizeMs: number;
  /** Equal to sizeMs for a tumbling window. */
  readonly slideMs: number;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

function parseDurationMs(text: string, spec: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] as string] as number) : Number.NaN;
  if (!(ms > 0)) throw new Error(`bad duration "${text}" in window spec "${spec}"`);
  return ms;
}

/** "1m": tumbling, one minute. "5m/1m": five-minute windows starting every minute. */
export function parseWindowSpec(text: string): OfflineWindowSpec {
  const name = text.trim();
  const [size, slide, ...rest] = name.split('/');
  if (size === undefined || rest.length > 0) throw new Error(`bad window spec "${text}"`);
  const sizeMs = parseDurationMs(size, name);
  const slideMs = slide === undefined ? sizeMs : parseDurationMs(slide, name);
  if (sizeMs % slideMs !== 0)
    throw new Error(`window spec "${text}": size must be a multiple of slide`);
  return { name, sizeMs, slideMs };
}

export function parseWindowSpecs(list: string): OfflineWindowSpec[] {
  return list.split(',').map(parseWindowSpec);
}

/** Starts of every window of `spec` containing time t: multiples of the slide with start <= t < start + size. */
export function windowStartsFor(t: number, spec: OfflineWindowSpec): number[] {
  const starts: number[] = [];
  for (
    let start = Math.floor(t / spec.slideMs) * spec.slideMs;
    start > t - spec.sizeMs;
    start -= spec.slideMs
  ) {
    starts.unshift(start);
  }
  return starts;
}

/** The sentiment score and label a window counts for an event; null when the event has none. */
export type SentimentOf = (
  event: RedditEvent,
) => { readonly score: number; readonly label: SentimentLabel } | null;

/** The server's rule: the NLP analysis's sentiment, null for deleted, removed or non-English text. */
export function serverSentimentOf(scorer: SentimentScorer): SentimentOf {
  return (event) => analyzeRedditText({ title: event.title, body: event.body }, scorer).sentiment;
}

/** `sentimentOf` that scores each fullname once, for oracles that read an event many times. */
export function scoredOnce(sentimentOf: SentimentOf): SentimentOf {
  const scores = new Map<string, ReturnType<SentimentOf>>();
  return (event) => {
    if (!scores.has(event.fullname)) scores.set(event.fullname, sentimentOf(event));
    return scores.get(event.fullname) ?? null;
  };
}

export interface WindowRow {
  readonly subreddit: string;
  readonly windowSpec: string;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly submissions: number;
  readonly comments: number;
  readonly sentimentSum: number;
  readonly sentimentCount: number;
  readonly sentimentMean: number | null;
  readonly sentimentMin: number | null;
  readonly sentimentMax: number | null;
  readonly positive: number;
  readonly neutral: number;
  readonly negative: number;
  readonly scoreSum: number;
  readonly uniqueAuthors: number;
  readonly firstEventMs: number;
  readonly lastEventMs: number;
}

/** A stored row: the same fields plus what only the server can know. */
export interface StoredWindowRow extends WindowRow {
  readonly uniqueAuthorsExact: boolean | null;
  readonly isFinal: boolean | null;
}

/** Deleted authors are null in events and counted under this one name. */
export const DELETED_AUTHOR = '[deleted]';
/** Sentiment is summed in millionths, as the server does, so sums are exact. */
const MICROS = 1_000_000;

export function windowKey(
  row: Pick<WindowRow, 'subreddit' | 'windowSpec' | 'windowStartMs'>,
): string {
  return `${row.subreddit}|${row.windowSpec}|${new Date(row.windowStartMs).toISOString()}`;
}

interface Accumulator {
  readonly subreddit: string;
  readonly spec: OfflineWindowSpec;
  readonly startMs: number;
  submissions: number;
  comments: number;
  sentimentMicros: number;
  sentimentCount: number;
  sentimentMin: number | null;
  sentimentMax: number | null;
  positive: number;
  neutral: number;
  negative: number;
  scoreSum: number;
  readonly authors: Set<string>;
  firstEventMs: number;
  lastEventMs: number;
}

export interface ExpectedWindowsOptions {
  readonly sentimentOf: SentimentOf;
  /** Fullnames that must not count (too-late events). */
  readonly exclude?: ReadonlySet<string>;
}

/** The expected rows, sorted by key. Events may repeat: only the first of each fullname counts. */
export function expectedWindows(
  events: readonly RedditEvent[],
  specs: readonly OfflineWindowSpec[],
  { sentimentOf, exclude = new Set() }: ExpectedWindowsOptions,
): WindowRow[] {
  const seen = new Set<string>();
  const windows = new Map<string, Accumulator>();
  for (const event of events) {
    if (seen.has(event.fullname) || exclude.has(event.fullname)) continue;
    seen.add(event.fullname);
    const t = event.createdUtc * 1000;
    const sentiment = sentimentOf(event);
    for (const spec of specs) {
      for (const startMs of windowStartsFor(t, spec)) {
        const key = windowKey({
          subreddit: event.subreddit,
          windowSpec: spec.name,
          windowStartMs: startMs,
        });
        let w = windows.get(key);
        if (!w) {
          w = {
            subreddit: event.subreddit,
            spec,
            startMs,
            submissions: 0,
            comments: 0,
            sentimentMicros: 0,
            sentimentCount: 0,
            sentimentMin: null,
            sentimentMax: null,
            positive: 0,
            neutral: 0,
            negative: 0,
            scoreSum: 0,
            authors: new Set(),
            firstEventMs: t,
            lastEventMs: t,
          };
          windows.set(key, w);
        }
        if (event.kind === 'submission') w.submissions++;
        else w.comments++;
        w.scoreSum += event.score;
        w.authors.add(event.author ?? DELETED_AUTHOR);
        w.firstEventMs = Math.min(w.firstEventMs, t);
        w.lastEventMs = Math.max(w.lastEventMs, t);
        if (sentiment !== null) {
          const { score, label } = sentiment;
          w.sentimentCount++;
          w.sentimentMicros += Math.round(score * MICROS);
          w.sentimentMin = w.sentimentMin === null ? score : Math.min(w.sentimentMin, score);
          w.sentimentMax = w.sentimentMax === null ? score : Math.max(w.sentimentMax, score);
          w[label]++;
        }
      }
    }
  }
  return [...windows.values()]
    .map((w): WindowRow => ({
      subreddit: w.subreddit,
      windowSpec: w.spec.name,
      windowStartMs: w.startMs,
      windowEndMs: w.startMs + w.spec.sizeMs,
      submissions: w.submissions,
      comments: w.comments,
      sentimentSum: w.sentimentMicros / MICROS,
      sentimentCount: w.sentimentCount,
      sentimentMean: w.sentimentCount > 0 ? w.sentimentMicros / MICROS / w.sentimentCount : null,
      sentimentMin: w.sentimentMin,
      sentimentMax: w.sentimentMax,
      positive: w.positive,
      neutral: w.neutral,
      negative: w.negative,
      scoreSum: w.scoreSum,
      uniqueAuthors: w.authors.size,
      firstEventMs: w.firstEventMs,
      lastEventMs: w.lastEventMs,
    }))
    .sort(byKey);
}

function byKey(a: WindowRow, b: WindowRow): number {
  const ka = windowKey(a);
  const kb = windowKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

// ---------------------------------------------------------------- stored rows

const WINDOW_COLUMNS = [
  'subreddit',
  'window_spec',
  'window_start',
  'window_end',
  'submissions',
  'comments',
  'sentiment_sum',
  'sentiment_count',
  'sentiment_mean',
  'sentiment_min',
  'sentiment_max',
  'positive',
  'neutral',
  'negative',
  'score_sum',
  'unique_authors',
  'unique_authors_exact',
  'first_event_at',
  'last_event_at',
  'is_final',
] as const;

type Column = (typeof WINDOW_COLUMNS)[number];

function num(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'object' && value !== null && 'toNumber' in value) {
    return (value as types.Long).toNumber();
  }
  return Number(value);
}

function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

function boolOrNull(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

function toStoredRow(get: (column: Column) => unknown): StoredWindowRow {
  return {
    subreddit: String(get('subreddit')),
    windowSpec: String(get('window_spec')),
    windowStartMs: num(get('window_start')),
    windowEndMs: num(get('window_end')),
    submissions: num(get('submissions')),
    comments: num(get('comments')),
    sentimentSum: num(get('sentiment_sum')),
    sentimentCount: num(get('sentiment_count')),
    sentimentMean: numOrNull(get('sentiment_mean')),
    sentimentMin: numOrNull(get('sentiment_min')),
    sentimentMax: numOrNull(get('sentiment_max')),
    positive: num(get('positive')),
    neutral: num(get('neutral')),
    negative: num(get('negative')),
    scoreSum: num(get('score_sum')),
    uniqueAuthors: num(get('unique_authors')),
    uniqueAuthorsExact: boolOrNull(get('unique_authors_exact')),
    firstEventMs: num(get('first_event_at')),
    lastEventMs: num(get('last_event_at')),
    isFinal: boolOrNull(get('is_final')),
  };
}

/** Every row of `<keyspace>.windows_by_subreddit_day`, all pages, sorted by key. */
export async function readCassandraWindows(
  client: CassandraClient,
  keyspace: string,
): Promise<StoredWindowRow[]> {
  const result = await client.execute(
    `SELECT ${WINDOW_COLUMNS.join(', ')} FROM ${keyspace}.windows_by_subreddit_day`,
    [],
    { fetchSize: 1000 },
  );
  const rows: StoredWindowRow[] = [];
  for await (const row of result) rows.push(toStoredRow((column) => row.get(column)));
  return rows.sort(byKey);
}

/** Every row of `<schema>.fact_windows`, sorted by key. */
export async function readWarehouseWindows(
  pg: PgClient,
  schema: string,
): Promise<StoredWindowRow[]> {
  const result = await pg.query<Record<Column, unknown>>(
    `SELECT ${WINDOW_COLUMNS.join(', ')} FROM ${schema}.fact_windows`,
  );
  return result.rows.map((row) => toStoredRow((column) => row[column])).sort(byKey);
}

// ---------------------------------------------------------------- comparison

export interface DiffOptions {
  /** Sentiment values must agree to this many decimals, as Jest's toBeCloseTo. */
  readonly digits?: number;
  /** Expect unique_authors_exact = true (true for windows under the server's exact-author limit). */
  readonly requireExactAuthors?: boolean;
}

const COUNT_FIELDS = [
  'windowEndMs',
  'submissions',
  'comments',
  'sentimentCount',
  'positive',
  'neutral',
  'negative',
  'scoreSum',
  'uniqueAuthors',
  'firstEventMs',
  'lastEventMs',
] as const satisfies readonly (keyof WindowRow)[];

const SENTIMENT_FIELDS = [
  'sentimentSum',
  'sentimentMean',
  'sentimentMin',
  'sentimentMax',
] as const satisfies readonly (keyof WindowRow)[];

function close(a: number | null, b: number | null, digits: number): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) < 10 ** -digits / 2;
}

function show(value: unknown, field: string): string {
  if (typeof value === 'number' && /Ms$/.test(field)) return new Date(value).toISOString();
  return JSON.stringify(value);
}

function summary(row: WindowRow): string {
  return (
    `submissions=${row.submissions} comments=${row.comments} authors=${row.uniqueAuthors} ` +
    `score=${row.scoreSum} sentiment=${row.sentimentSum}/${row.sentimentCount}`
  );
}

/**
 * Human-readable differences between the expected and the stored rows; empty
 * when they agree: same keys, and every compared field equal (sentiment within
 * `digits` decimals). One line per missing, unexpected or different row.
 */
export function diffWindows(
  expected: readonly WindowRow[],
  actual: readonly StoredWindowRow[],
  { digits = 5, requireExactAuthors = true }: DiffOptions = {},
): string[] {
  const lines: string[] = [];
  const want = new Map(expected.map((row) => [windowKey(row), row]));
  const got = new Map<string, StoredWindowRow>();
  for (const row of actual) {
    const key = windowKey(row);
    if (got.has(key)) lines.push(`duplicate  ${key}: stored twice`);
    got.set(key, row);
  }
  for (const [key, row] of want) {
    if (!got.has(key)) lines.push(`missing    ${key} (expected ${summary(row)})`);
  }
  for (const [key, row] of got) {
    const expectedRow = want.get(key);
    if (!expectedRow) {
      lines.push(`unexpected ${key} (stored ${summary(row)})`);
      continue;
    }
    const fields: string[] = [];
    for (const field of COUNT_FIELDS) {
      if (row[field] !== expectedRow[field]) {
        fields.push(`${field} ${show(row[field], field)} != ${show(expectedRow[field], field)}`);
      }
    }
    for (const field of SENTIMENT_FIELDS) {
      if (!close(row[field], expectedRow[field], digits)) {
        fields.push(`${field} ${show(row[field], field)} != ${show(expectedRow[field], field)}`);
      }
    }
    if (requireExactAuthors && row.uniqueAuthorsExact !== true) {
      fields.push(`uniqueAuthorsExact ${show(row.uniqueAuthorsExact, '')} != true`);
    }
    if (fields.length > 0)
      lines.push(`different  ${key}: ${fields.join('; ')} (stored != expected)`);
  }
  return lines;
}

/** A diff as one message: a count line, then at most `maxLines` lines. */
export function formatDiff(lines: readonly string[], maxLines = 40): string {
  if (lines.length === 0) return 'no differences';
  const kinds = ['missing', 'unexpected', 'different', 'duplicate'].map(
    (kind) => `${lines.filter((l) => l.startsWith(kind)).length} ${kind}`,
  );
  const shown = lines.slice(0, maxLines);
  const more = lines.length > maxLines ? [`... and ${lines.length - maxLines} more`] : [];
  return [`${lines.length} differences (${kinds.join(', ')}):`, ...shown, ...more].join('\n');
}

export interface AwaitWindowsOptions extends DiffOptions {
  readonly what: string;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Once equal, the rows must stay equal this long (later double counting would show). */
  readonly stableForMs?: number;
}

/**
 * Polls `read` until the stored rows equal `expected`, then checks they are
 * still equal `stableForMs` later. Throws with the last readable diff (or the
 * last read error) when that does not happen within `timeoutMs`.
 */
export async function awaitWindowsEqual(
  read: () => Promise<readonly StoredWindowRow[]>,
  expected: readonly WindowRow[],
  {
    what,
    timeoutMs = 90_000,
    intervalMs = 1_000,
    stableForMs = 4_000,
    ...diff
  }: AwaitWindowsOptions,
): Promise<readonly StoredWindowRow[]> {
  const deadline = Date.now() + timeoutMs;
  let lastDiff: string[] = ['nothing read yet'];
  let lastError: unknown = null;
  let equalSince: number | null = null;
  for (;;) {
    let rows: readonly StoredWindowRow[] | null = null;
    try {
      rows = await read();
      lastError = null;
    } catch (error) {
      lastError = error;
    }
    if (rows !== null) {
      lastDiff = diffWindows(expected, rows, diff);
      if (lastDiff.length === 0) {
        equalSince ??= Date.now();
        if (Date.now() - equalSince >= stableForMs) return rows;
      } else if (equalSince !== null) {
        throw new Error(
          `${what}: stored windows were equal to the expected ones, then changed:\n${formatDiff(lastDiff)}`,
        );
      }
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const reason =
    lastError instanceof Error ? `last read failed: ${lastError.message}` : formatDiff(lastDiff);
  throw new Error(
    `${what}: stored windows did not equal the ${expected.length} expected rows within ${timeoutMs} ms\n${reason}`,
  );
}

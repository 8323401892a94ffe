/**
 * The normalised event every source produces and every later stage consumes.
 * Versioned: consumers reject versions they do not know (dead-letter) rather
 * than guess. Times are Unix seconds, as Reddit reports them.
 */
export const EVENT_SCHEMA_VERSION = 1 as const;

export const EVENT_KINDS = ['submission', 'comment'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const EVENT_SOURCES = ['synthetic', 'reddit', 'replay'] as const;
export type EventSourceKind = (typeof EVENT_SOURCES)[number];

export const BODY_STATES = ['present', 'empty', 'deleted', 'removed'] as const;
export type BodyState = (typeof BODY_STATES)[number];

export interface RedditEvent {
  readonly schemaVersion: typeof EVENT_SCHEMA_VERSION;
  readonly kind: EventKind;
  /** Base36 id without prefix, e.g. "k3j2h1". */
  readonly id: string;
  /** Reddit fullname: "t3_<id>" for submissions, "t1_<id>" for comments. */
  readonly fullname: string;
  /** Lower-cased subreddit name without the "r/" prefix: the key of every aggregate. */
  readonly subreddit: string;
  /** null when the author is deleted. */
  readonly author: string | null;
  /** Submissions only. */
  readonly title: string | null;
  /** Selftext or comment body; null when removed or deleted. */
  readonly body: string | null;
  /** Why `body` is what it is: removed and deleted items are flagged, never dropped. */
  readonly bodyState: BodyState;
  readonly permalink: string;
  readonly url: string | null;
  readonly score: number;
  readonly numComments: number | null;
  readonly over18: boolean;
  /** Comments only: the submission fullname. */
  readonly linkId: string | null;
  /** Comments only: the parent's fullname (submission or comment). */
  readonly parentId: string | null;
  /** Event time, Unix seconds. */
  readonly createdUtc: number;
  /** When ingest saw it, Unix seconds with millisecond precision. */
  readonly ingestedUtc: number;
  readonly source: EventSourceKind;
  readonly streamId: string;
}

export type ParseResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const FULLNAME = /^t[13]_[0-9a-z]{1,13}$/;
const SUBREDDIT_KEY = /^[a-z0-9][a-z0-9_]{1,20}$/;

function isNullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

/** Checks an untrusted decoded message against the schema; the reason names the first bad field. */
export function parseRedditEvent(value: unknown): ParseResult<RedditEvent> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'event is not a JSON object' };
  }
  const e = value as Record<string, unknown>;
  if (e.schemaVersion !== EVENT_SCHEMA_VERSION) {
    return {
      ok: false,
      reason: `unsupported schemaVersion ${String(JSON.stringify(e.schemaVersion))}`,
    };
  }
  if (!EVENT_KINDS.includes(e.kind as EventKind))
    return { ok: false, reason: 'kind must be submission or comment' };
  if (typeof e.fullname !== 'string' || !FULLNAME.test(e.fullname))
    return { ok: false, reason: 'fullname must look like t3_<base36> or t1_<base36>' };
  const expectedPrefix = e.kind === 'submission' ? 't3_' : 't1_';
  if (!e.fullname.startsWith(expectedPrefix))
    return {
      ok: false,
      reason: `fullname of a ${String(e.kind)} must start with ${expectedPrefix}`,
    };
  if (typeof e.id !== 'string' || `${expectedPrefix}${e.id}` !== e.fullname)
    return { ok: false, reason: 'id must match the fullname' };
  if (typeof e.subreddit !== 'string' || !SUBREDDIT_KEY.test(e.subreddit))
    return { ok: false, reason: 'subreddit must be a lower-case subreddit name' };
  if (!isNullableString(e.author)) return { ok: false, reason: 'author must be a string or null' };
  if (!isNullableString(e.title)) return { ok: false, reason: 'title must be a string or null' };
  if (!isNullableString(e.body)) return { ok: false, reason: 'body must be a string or null' };
  if (!BODY_STATES.includes(e.bodyState as BodyState))
    return { ok: false, reason: 'bodyState must be present, empty, deleted or removed' };
  if (typeof e.permalink !== 'string') return { ok: false, reason: 'permalink must be a string' };
  if (!isNullableString(e.url)) return { ok: false, reason: 'url must be a string or null' };
  if (typeof e.score !== 'number' || !Number.isFinite(e.score))
    return { ok: false, reason: 'score must be a number' };
  if (e.numComments !== null && typeof e.numComments !== 'number')
    return { ok: false, reason: 'numComments must be a number or null' };
  if (typeof e.over18 !== 'boolean') return { ok: false, reason: 'over18 must be a boolean' };
  if (!isNullableString(e.linkId)) return { ok: false, reason: 'linkId must be a string or null' };
  if (!isNullableString(e.parentId))
    return { ok: false, reason: 'parentId must be a string or null' };
  if (typeof e.createdUtc !== 'number' || !Number.isFinite(e.createdUtc) || e.createdUtc <= 0)
    return { ok: false, reason: 'createdUtc must be a positive number of Unix seconds' };
  if (typeof e.ingestedUtc !== 'number' || !Number.isFinite(e.ingestedUtc))
    return { ok: false, reason: 'ingestedUtc must be a number of Unix seconds' };
  if (!EVENT_SOURCES.includes(e.source as EventSourceKind))
    return { ok: false, reason: 'source must be synthetic, reddit or replay' };
  if (typeof e.streamId !== 'string') return { ok: false, reason: 'streamId must be a string' };
  return { ok: true, value: value as RedditEvent };
}

/** Reddit's rule for subreddit names (old ones may be 2 characters). */
export const SUBREDDIT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_]{1,20}$/;

export function subredditKey(name: string): string {
  return name.replace(/^\/?r\//i, '').toLowerCase();
}

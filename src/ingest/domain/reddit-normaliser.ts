import {
  type BodyState,
  EVENT_SCHEMA_VERSION,
  type EventSourceKind,
  type ParseResult,
  type RedditEvent,
  subredditKey,
} from '@app/events/reddit-event';

/** Where an item came from and when ingest saw it: stamped on every event. */
export interface NormaliseContext {
  readonly source: EventSourceKind;
  readonly streamId: string;
  /** Unix seconds. */
  readonly ingestedUtc: number;
}

const ID = /^[0-9a-z]{1,13}$/;
const SUBREDDIT = /^[A-Za-z0-9][A-Za-z0-9_]{1,20}$/;
const DELETED_AUTHOR = '[deleted]';

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function integer(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : fallback;
}

function bodyOf(raw: unknown): { body: string | null; bodyState: BodyState } {
  if (typeof raw !== 'string' || raw === '')
    return { body: raw === '' ? '' : null, bodyState: 'empty' };
  const trimmed = raw.trim();
  if (trimmed === '[deleted]') return { body: null, bodyState: 'deleted' };
  if (trimmed === '[removed]' || trimmed === '[ Removed by Reddit ]')
    return { body: null, bodyState: 'removed' };
  return { body: raw, bodyState: 'present' };
}

/**
 * Turns one Reddit item, the `data` object of a `t3` (submission) or `t1`
 * (comment) thing as the API and the dump files carry it, into our event.
 * Pure and total: anything unusable comes back as a reason, never a throw.
 */
export function normaliseRedditItem(
  kind: string | null,
  data: unknown,
  context: NormaliseContext,
): ParseResult<RedditEvent> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, reason: 'item is not a JSON object' };
  }
  const d = data as Record<string, unknown>;
  const id = text(d.id);
  if (id === null || !ID.test(id)) return { ok: false, reason: 'id is missing or not base36' };

  // Dump files carry the bare `data` object: tell the kinds apart by their fields.
  const inferred = kind ?? (typeof d.link_id === 'string' || d.title === undefined ? 't1' : 't3');
  if (inferred !== 't1' && inferred !== 't3') {
    return { ok: false, reason: `unsupported thing kind ${inferred}` };
  }
  const isSubmission = inferred === 't3';
  const fullname = `${inferred}_${id}`;
  if (typeof d.name === 'string' && d.name !== fullname) {
    return { ok: false, reason: `name ${d.name} does not match ${fullname}` };
  }

  const subreddit = text(d.subreddit);
  if (subreddit === null || !SUBREDDIT.test(subreddit)) {
    return { ok: false, reason: 'subreddit is missing or not a valid subreddit name' };
  }
  const created = d.created_utc;
  const createdUtc = typeof created === 'string' ? Number(created) : created;
  if (typeof createdUtc !== 'number' || !Number.isFinite(createdUtc) || createdUtc <= 0) {
    return { ok: false, reason: 'created_utc is missing or not a positive number' };
  }

  const author = text(d.author);
  const { body, bodyState } = bodyOf(isSubmission ? d.selftext : d.body);
  const linkId = isSubmission ? null : text(d.link_id);
  if (!isSubmission && (linkId === null || !linkId.startsWith('t3_'))) {
    return { ok: false, reason: 'comment has no link_id' };
  }
  const key = subredditKey(subreddit);
  const permalink =
    text(d.permalink) ??
    (isSubmission
      ? `/r/${key}/comments/${id}/`
      : `/r/${key}/comments/${(linkId ?? '').slice(3)}/_/${id}/`);

  return {
    ok: true,
    value: {
      schemaVersion: EVENT_SCHEMA_VERSION,
      kind: isSubmission ? 'submission' : 'comment',
      id,
      fullname,
      subreddit: key,
      author: author === null || author === DELETED_AUTHOR ? null : author,
      title: isSubmission ? (text(d.title) ?? '') : null,
      body,
      bodyState,
      permalink,
      url: isSubmission ? text(d.url) : null,
      score: integer(d.score, 0),
      numComments: isSubmission ? integer(d.num_comments, 0) : null,
      over18: d.over_18 === true,
      linkId,
      parentId: isSubmission ? null : (text(d.parent_id) ?? linkId),
      createdUtc: Math.floor(createdUtc),
      ingestedUtc: context.ingestedUtc,
      source: context.source,
      streamId: context.streamId,
    },
  };
}

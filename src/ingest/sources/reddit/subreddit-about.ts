import { AppError } from '@app/common/app-error';
import { subredditKey } from '@app/events/reddit-event';
import { type RedditHttpResponse } from './reddit-http';

/** What we keep from a subreddit's `about` (a t5 thing). */
export interface SubredditAbout {
  /** Lower-cased, as events carry it. */
  readonly name: string;
  /** Reddit's spelling, e.g. "AskReddit". */
  readonly displayName: string;
  /** public, restricted, archived, user, ... */
  readonly subredditType: string;
  readonly over18: boolean;
  readonly subscribers: number | null;
}

/** Why a subreddit cannot be streamed, as AppError details carry it. */
export type SubredditRefusal =
  | 'not_found'
  | 'banned'
  | 'private'
  | 'quarantined'
  | 'gold_only'
  | 'employees_only'
  | 'unavailable_for_legal_reasons'
  | 'forbidden'
  | (string & {});

/** Types whose listings an application-only client cannot read. */
const UNREADABLE_TYPES = new Set(['private', 'gold_only', 'employees_only']);

const REASON_TEXT: Readonly<Record<string, string>> = {
  banned: 'is banned',
  private: 'is private',
  quarantined: 'is quarantined',
  gold_only: 'is only open to Reddit Premium members',
  employees_only: 'is only open to Reddit employees',
  unavailable_for_legal_reasons: 'is unavailable for legal reasons',
};

function parseJson(body: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function notFound(subreddit: string): AppError {
  return new AppError('NOT_FOUND', `subreddit r/${subreddit} does not exist`, {
    subreddit,
    reason: 'not_found',
  });
}

/** "is banned", "is private", ... for a refusal reason. */
export function refusalText(reason: string): string {
  if (reason === 'not_found') return 'does not exist';
  return REASON_TEXT[reason] ?? `is not accessible (${reason})`;
}

function forbidden(subreddit: string, reason: string): AppError {
  return new AppError('FORBIDDEN', `subreddit r/${subreddit} ${refusalText(reason)}`, {
    subreddit,
    reason,
  });
}

/**
 * Interprets Reddit's answer to GET /r/{subreddit}/about (also usable for a
 * failed listing): returns the subreddit when its listings can be read,
 * otherwise throws AppError NOT_FOUND or FORBIDDEN with details
 * `{ subreddit, reason }`.
 *
 * Reddit answers an unknown name with a 302 to /subreddits/search or with
 * 404 {"message":"Not Found","error":404}, a banned one with 404 and
 * "reason":"banned", and private, quarantined and premium-only ones with a 403
 * that names the reason. An account that opted in to a quarantined subreddit
 * gets 200 with "quarantine": true; we refuse those as well.
 */
export function interpretAboutResponse(
  subreddit: string,
  response: RedditHttpResponse,
): SubredditAbout {
  const name = subredditKey(subreddit);
  const json = parseJson(response.body);
  const reason = typeof json?.reason === 'string' ? json.reason : null;
  const { status } = response;

  if (status >= 300 && status < 400) {
    // Reddit redirects unknown names to the search page; nothing else is expected here.
    throw notFound(name);
  }
  if (status === 404) {
    if (reason !== null) throw forbidden(name, reason);
    throw notFound(name);
  }
  if (status === 403) throw forbidden(name, reason ?? 'forbidden');
  if (status === 451) throw forbidden(name, 'unavailable_for_legal_reasons');
  if (status !== 200) {
    throw new AppError(
      'DEPENDENCY_UNAVAILABLE',
      `Reddit answered HTTP ${status} for r/${name}/about`,
      { subreddit: name, status },
    );
  }

  const data = json?.data;
  if (json?.kind !== 't5' || typeof data !== 'object' || data === null) throw notFound(name);
  const about = data as Record<string, unknown>;
  const type = typeof about.subreddit_type === 'string' ? about.subreddit_type : 'public';
  if (about.quarantine === true) throw forbidden(name, 'quarantined');
  if (UNREADABLE_TYPES.has(type)) throw forbidden(name, type);
  const displayName = typeof about.display_name === 'string' ? about.display_name : name;
  return {
    name: subredditKey(displayName),
    displayName,
    subredditType: type,
    over18: about.over18 === true,
    subscribers: typeof about.subscribers === 'number' ? about.subscribers : null,
  };
}

/** What validateSubreddits needs: anything with an about() (the RedditApiClient). */
export interface SubredditAboutReader {
  about(subreddit: string, options?: { signal?: AbortSignal }): Promise<SubredditAbout>;
}

/**
 * Checks every subreddit before a stream starts, one after the other (each
 * request draws from the shared rate-limit budget), and throws the first
 * refusal: AppError NOT_FOUND, FORBIDDEN, INVALID_INPUT or DEPENDENCY_UNAVAILABLE.
 */
export async function validateSubreddits(
  client: SubredditAboutReader,
  subreddits: readonly string[],
  signal?: AbortSignal,
): Promise<SubredditAbout[]> {
  const results: SubredditAbout[] = [];
  for (const subreddit of subreddits) {
    results.push(await client.about(subreddit, { signal }));
  }
  return results;
}

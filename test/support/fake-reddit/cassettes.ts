import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Real HTTP exchanges with Reddit, recorded by PRAW's integration tests
 * (see ../shared/data/README.md). Read in place, never copied into the repo.
 */
export const CASSETTE_DIR = path.resolve(__dirname, '../../../../shared/data/reddit/cassettes');

/** What `<TEST_SUBREDDIT>` becomes: a valid subreddit name. */
export const TEST_SUBREDDIT = 'testsub';

export const CASSETTES = {
  listingNew: 'TestSubredditListings.test_new.json',
  listingComments: 'TestSubredditListings.test_comments.json',
  streamSubmissions: 'TestSubredditStreams.test_submissions.json',
  streamCommentsContinueAfterId: 'TestSubredditStreams.test_comments__with_continue_after_id.json',
  streamCommentsWithPause: 'TestSubredditStreams.test_comments__with_pause.json',
  quarantineOptOut: 'TestSubredditQuarantine.test_opt_out.json',
  hideMultiple: 'TestSubmission.test_hide_multiple_in_batches.json',
} as const;

export interface RecordedResponse {
  readonly status: number;
  /** Header names in lower case, first value of each. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface RecordedInteraction {
  readonly method: string;
  readonly url: URL;
  readonly requestBody: string | null;
  readonly response: RecordedResponse;
}

interface CassetteFile {
  interactions: Array<{
    request: { method: string; uri: string; body: string | null };
    response: {
      status: { code: number };
      headers: Record<string, string[] | string>;
      body: { string?: string };
    };
  }>;
}

function firstValues(headers: Record<string, string[] | string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name.toLowerCase()] = first;
  }
  return out;
}

const cache = new Map<string, RecordedInteraction[]>();

/** Loads a cassette with `<TEST_SUBREDDIT>` replaced everywhere (bodies, URIs). */
export function loadCassette(
  file: string,
  subreddit: string = TEST_SUBREDDIT,
): RecordedInteraction[] {
  const key = `${file}|${subreddit}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const text = readFileSync(path.join(CASSETTE_DIR, file), 'utf8').replaceAll(
    '<TEST_SUBREDDIT>',
    subreddit,
  );
  const parsed = JSON.parse(text) as CassetteFile;
  const interactions = parsed.interactions.map((i): RecordedInteraction => ({
    method: i.request.method,
    url: new URL(i.request.uri),
    requestBody: i.request.body,
    response: {
      status: i.response.status.code,
      headers: firstValues(i.response.headers),
      body: i.response.body.string ?? '',
    },
  }));
  cache.set(key, interactions);
  return interactions;
}

/** The response bodies of a cassette's GET listings ending in `/new` or `/comments`, in order. */
export function listingBodies(file: string, listing: 'new' | 'comments'): string[] {
  return loadCassette(file)
    .filter(
      (i) =>
        i.method === 'GET' &&
        i.response.status === 200 &&
        i.url.pathname.replace(/\/$/, '').endsWith(`/${listing}`),
    )
    .map((i) => i.response.body);
}

export interface RecordedChild {
  readonly kind: string;
  readonly data: Record<string, unknown> & { readonly name: string };
}

/** The children of a Listing body, as Reddit listed them (newest first). */
export function childrenOf(body: string): RecordedChild[] {
  const listing = JSON.parse(body) as { data: { children: RecordedChild[] } };
  return listing.data.children;
}

export function fullnamesOf(body: string): string[] {
  return childrenOf(body).map((child) => child.data.name);
}

/** The recorded token grant (the first POST to /api/v1/access_token). */
export function recordedTokenGrant(file: string): RecordedResponse {
  const grant = loadCassette(file).find((i) => i.url.pathname === '/api/v1/access_token');
  if (!grant) throw new Error(`${file} has no token grant`);
  return grant.response;
}

import { randomBytes } from 'node:crypto';
import { AppError } from '@app/common/app-error';
import { SystemClock } from '@app/common/clock';
import { type EventKind, type RedditEvent } from '@app/events/reddit-event';
import { type IngestReject } from '@app/ingest/sources/stream-source';
import { RedditApiClient } from '@app/ingest/sources/reddit/reddit-api-client';
import { type RedditClientConfig } from '@app/ingest/sources/reddit/reddit-config';
import {
  type RedditSource,
  type RedditSourceTuning,
  createRedditSource,
} from '@app/ingest/sources/reddit/reddit.source';
import { validateSubreddits } from '@app/ingest/sources/reddit/subreddit-about';
import {
  CASSETTES,
  TEST_SUBREDDIT,
  childrenOf,
  fullnamesOf,
  listingBodies,
} from '../support/fake-reddit/cassettes';
import { FakeReddit, type FakeRedditOptions } from '../support/fake-reddit/fake-reddit';

/**
 * The Reddit source against a local fake Reddit that replays real recordings,
 * over real HTTP on loopback with the production fetch adapter. No Kafka: what
 * the source returns from pull() is what would be published.
 */

jest.setTimeout(30_000);

const COMMENTS = `/r/${TEST_SUBREDDIT}/comments`;
const NEW = `/r/${TEST_SUBREDDIT}/new`;
const commentPages = listingBodies(CASSETTES.streamCommentsContinueAfterId, 'comments');
const submissionPages = listingBodies(CASSETTES.streamSubmissions, 'new');
const expectedComments = new Set(commentPages.flatMap(fullnamesOf));
const expectedSubmissions = new Set(submissionPages.flatMap(fullnamesOf));

/** Short waits so each test takes seconds, not minutes. */
const FAST: RedditSourceTuning = {
  retry: { baseMs: 20, capMs: 200 },
  emptyPollBackoff: { baseMs: 20, capMs: 160 },
  cursorlessAfterEmptyPolls: 3,
};

const clock = new SystemClock();
const fakes: FakeReddit[] = [];
const sources: RedditSource[] = [];

afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.close()));
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function startFake(options: FakeRedditOptions = {}): Promise<FakeReddit> {
  // A client id per test: the rate-limit budget is shared process-wide per client id.
  const fake = await FakeReddit.start({
    clientId: `it-${randomBytes(4).toString('hex')}`,
    ...options,
  });
  fakes.push(fake);
  return fake;
}

function configFor(
  fake: FakeReddit,
  overrides: Partial<RedditClientConfig> = {},
): RedditClientConfig {
  return {
    authBaseUrl: fake.authBaseUrl,
    apiBaseUrl: fake.apiBaseUrl,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    userAgent: 'nodejs:reddit-live-analytics-tests:0.1.0 (by /u/test_bot)',
    requestTimeoutMs: 2_000,
    ...overrides,
  };
}

function source(
  fake: FakeReddit,
  options: {
    kinds?: EventKind[];
    checkpoint?: unknown;
    config?: Partial<RedditClientConfig>;
    streamId?: string;
    subreddits?: string[];
  } = {},
): RedditSource {
  const created = createRedditSource({
    config: configFor(fake, options.config),
    streamId: options.streamId ?? 'reddit-it',
    subreddits: options.subreddits ?? [TEST_SUBREDDIT],
    kinds: options.kinds ?? ['submission', 'comment'],
    checkpoint: options.checkpoint,
    clock,
    tuning: FAST,
  });
  sources.push(created);
  return created;
}

interface Collected {
  events: RedditEvent[];
  rejects: IngestReject[];
}

/** Pulls until `done` holds (then `settleMs` more, to catch late duplicates) or the timeout. */
async function collect(
  from: RedditSource,
  done: (collected: Collected) => boolean,
  { max = 100, timeoutMs = 15_000, settleMs = 0 } = {},
): Promise<Collected> {
  const collected: Collected = { events: [], rejects: [] };
  const deadline = Date.now() + timeoutMs;
  let settleUntil: number | null = null;
  while (Date.now() < deadline) {
    if (settleUntil === null && done(collected)) settleUntil = Date.now() + settleMs;
    if (settleUntil !== null && Date.now() >= settleUntil) return collected;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 200);
    try {
      const batch = await from.pull(max, controller.signal);
      collected.events.push(...batch.events);
      collected.rejects.push(...batch.rejects);
    } finally {
      clearTimeout(timer);
    }
  }
  throw new Error(
    `timed out: ${collected.events.length} events, ${collected.rejects.length} rejects collected`,
  );
}

function names(events: readonly RedditEvent[], kind?: EventKind): string[] {
  return events.filter((e) => kind === undefined || e.kind === kind).map((e) => e.fullname);
}

function haveAll(collected: Collected): boolean {
  const seen = new Set(names(collected.events));
  return [...expectedComments, ...expectedSubmissions].every((name) => seen.has(name));
}

function scriptRecordedStreams(fake: FakeReddit): void {
  fake.scriptListing(COMMENTS, commentPages);
  fake.scriptListing(NEW, submissionPages);
}

describe('RedditSource against the fake Reddit', () => {
  it('delivers every recorded item of the /comments and /new stream cassettes exactly once', async () => {
    expect(expectedComments.size).toBe(100);
    expect(expectedSubmissions.size).toBe(104);
    const fake = await startFake({ rateLimit: { limit: 20, windowMs: 1000 } });
    scriptRecordedStreams(fake);
    const reddit = source(fake);

    const { events, rejects } = await collect(reddit, haveAll, { settleMs: 1500 });

    expect(rejects).toEqual([]);
    expect(new Set(names(events, 'comment'))).toEqual(expectedComments);
    expect(new Set(names(events, 'submission'))).toEqual(expectedSubmissions);
    expect(events).toHaveLength(expectedComments.size + expectedSubmissions.size);
    // Oldest first: the first comment out is the last one the first page listed.
    expect(names(events, 'comment')[0]).toBe(fullnamesOf(commentPages[0] ?? '').at(-1));
    expect(events.every((e) => e.source === 'reddit' && e.streamId === 'reddit-it')).toBe(true);
    expect(events.find((e) => e.kind === 'comment')?.subreddit).toBe(TEST_SUBREDDIT);

    // The cursor is the first item listed: for /new that is exactly the recorded second request.
    const newRequests = fake.apiRequests(NEW);
    expect(newRequests[0]?.query.before).toBeUndefined();
    expect(newRequests[1]?.query.before).toBe('t3_5jo13y');
    const commentRequests = fake.apiRequests(COMMENTS);
    expect(commentRequests[1]?.query.before).toBe(fullnamesOf(commentPages[0] ?? '')[0]);
    // After repeated empty `before` polls, a poll without `before`; its overlap was dropped.
    expect(commentRequests.slice(2).some((r) => r.query.before === undefined)).toBe(true);

    for (const request of fake.apiRequests()) {
      expect(request.query).toMatchObject({ limit: '100', raw_json: '1' });
      expect(request.headers['user-agent']).toBe(configFor(fake).userAgent);
      expect(request.headers.authorization).toMatch(/^bearer fake-/);
    }
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(fake.budgetExceeded).toBe(0);
  });

  it('never exceeds the advertised budget, which two streams of one client share', async () => {
    const fake = await startFake({ rateLimit: { limit: 5, windowMs: 2000 } });
    scriptRecordedStreams(fake);
    fake.setSubreddit('other', 'public');
    const first = source(fake);
    const second = source(fake, { subreddits: ['other'], streamId: 'reddit-it-2' });

    const runFor = async (reddit: RedditSource): Promise<void> => {
      const until = Date.now() + 4500;
      while (Date.now() < until) {
        await reddit.pull(100, AbortSignal.timeout(Math.max(1, until - Date.now())));
      }
    };
    await Promise.all([runFor(first), runFor(second)]);

    expect(fake.budgetExceeded).toBe(0);
    // Both streams kept polling (they want far more than the budget) across several windows.
    expect(fake.apiRequests(`/r/other/`).length).toBeGreaterThan(1);
    expect(fake.apiRequests().length).toBeGreaterThan(fake.rateLimit.limit);
    const status = first.status();
    expect(typeof status.rateLimitRemaining).toBe('number');
    expect(status.rateLimitResetAtMs).toBeGreaterThan(Date.now() - 2000);
  });

  it('survives 429, 500, 503, a timeout, a dropped connection and an expired token', async () => {
    const fake = await startFake();
    scriptRecordedStreams(fake);
    fake.failRequest(1, { type: 'status', status: 503 }, 'auth');
    const listings = `/r/${TEST_SUBREDDIT}/`;
    fake.failNext({ type: 'status', status: 500 }, { path: listings });
    fake.failNext({ type: 'status', status: 503 }, { path: listings });
    fake.failNext({ type: 'status', status: 429, resetSeconds: 1 }, { path: listings });
    fake.failNext({ type: 'delay', ms: 1500 }, { path: listings });
    fake.failNext({ type: 'drop' }, { path: listings });
    const reddit = source(fake, { config: { requestTimeoutMs: 400 } });

    const firstBatch = await collect(reddit, (c) => c.events.length > 0);
    fake.expireTokensIssuedBefore(Date.now() + 1);
    const rest = await collect(
      reddit,
      (c) => haveAll({ events: [...firstBatch.events, ...c.events], rejects: [] }),
      { settleMs: 300 },
    );
    const events = [...firstBatch.events, ...rest.events];

    expect(new Set(names(events))).toEqual(new Set([...expectedComments, ...expectedSubmissions]));
    expect(events).toHaveLength(expectedComments.size + expectedSubmissions.size);
    const statuses = fake.apiRequests().map((r) => r.status);
    expect(statuses).toEqual(expect.arrayContaining([500, 503, 429, 'dropped', 401]));
    // One grant refused with 503 and retried, then a new token after the expiry.
    expect(fake.tokenRequests().map((r) => r.status)).toEqual([503, 200, 200]);
    expect(reddit.status().lastError).toMatch(/HTTP 401/);
    expect(fake.budgetExceeded).toBe(0);
  });

  it('resumes from checkpoint() mid-page without gaps or duplicates, even after its cursor is deleted', async () => {
    const fake = await startFake({ rateLimit: { limit: 30, windowMs: 1000 } });
    // Live listings (no scripted replay), so `before` behaves as Reddit's does.
    fake.publish(COMMENTS, childrenOf(commentPages[0] ?? ''));
    fake.publish(NEW, childrenOf(submissionPages[0] ?? ''));

    const first = source(fake);
    const before = await collect(first, (c) => c.events.length >= 90, { max: 30 });
    const checkpoint: unknown = JSON.parse(JSON.stringify(first.checkpoint()));
    await first.close();

    // Four submissions arrive while the stream is down (the recorded second page).
    fake.publish(NEW, childrenOf(submissionPages[1] ?? ''));
    const second = source(fake, { checkpoint });
    const after = await collect(
      second,
      (c) => haveAll({ events: [...before.events, ...c.events], rejects: [] }),
      { settleMs: 800 },
    );
    const all = [...before.events, ...after.events];
    expect(all).toHaveLength(expectedComments.size + expectedSubmissions.size);
    expect(new Set(names(all))).toEqual(new Set([...expectedComments, ...expectedSubmissions]));

    // The item the comment cursor names is deleted; new comments arrive meanwhile.
    const resumeFrom = second.checkpoint();
    await second.close();
    expect(resumeFrom.cursors.comment).toMatch(/^t1_/);
    fake.remove(COMMENTS, resumeFrom.cursors.comment ?? '');
    const newer = childrenOf(listingBodies(CASSETTES.listingComments, 'comments')[0] ?? '').slice(
      0,
      3,
    );
    fake.publish(COMMENTS, newer);
    const third = source(fake, { checkpoint: resumeFrom });
    const last = await collect(third, (c) => c.events.length >= 3, { settleMs: 800 });
    expect(names(last.events)).toEqual(newer.map((c) => c.data.name).reverse());
  });

  it('stops with AppError FORBIDDEN when a subreddit it streams is banned', async () => {
    const fake = await startFake({ subreddits: { testsub: 'public', gone: 'banned' } });
    const reddit = source(fake, { subreddits: ['testsub', 'gone'], kinds: ['comment'] });
    await expect(reddit.pull(100, AbortSignal.timeout(5000))).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'banned' },
    });
    expect(reddit.status().lastError).toBe(
      'GET /r/testsub+gone/comments: one of r/testsub, r/gone is banned',
    );
  });
});

describe('about() against the fake Reddit', () => {
  async function client(): Promise<RedditApiClient> {
    const fake = await startFake({
      subreddits: {
        testsub: 'public',
        ferguson: 'quarantined-recorded',
        shady: 'quarantined',
        secret: 'private',
        naughty: 'banned',
      },
    });
    return new RedditApiClient({ config: configFor(fake), clock, retry: FAST.retry });
  }

  it('answers for a public, a quarantined (recorded 403) and an unknown subreddit', async () => {
    const reddit = await client();
    await expect(reddit.about('testsub')).resolves.toMatchObject({
      name: 'testsub',
      subredditType: 'public',
    });
    await expect(reddit.about('ferguson')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { subreddit: 'ferguson' },
    });
    await expect(reddit.about('shady')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { subreddit: 'shady', reason: 'quarantined' },
    });
    const unknown = reddit.about('nosuchsub');
    await expect(unknown).rejects.toBeInstanceOf(AppError);
    await expect(unknown).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'subreddit r/nosuchsub does not exist',
    });
  });

  it('validateSubreddits names the first subreddit that cannot be streamed', async () => {
    const reddit = await client();
    await expect(validateSubreddits(reddit, ['testsub'])).resolves.toHaveLength(1);
    await expect(
      validateSubreddits(reddit, ['testsub', 'secret', 'naughty']),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { subreddit: 'secret', reason: 'private' },
    });
    await expect(validateSubreddits(reddit, ['naughty'])).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'banned' },
    });
  });
});

import { ManualClock } from '@app/common/clock';
import { type RedditEvent } from '@app/events/reddit-event';
import { RedditApiClient } from '@app/ingest/sources/reddit/reddit-api-client';
import { type RedditHttpRequest } from '@app/ingest/sources/reddit/reddit-http';
import { RateLimitBudget } from '@app/ingest/sources/reddit/rate-limit';
import {
  type RedditCheckpoint,
  RedditSource,
  type RedditSourceOptions,
  parseRedditCheckpoint,
} from '@app/ingest/sources/reddit/reddit.source';
import {
  CASSETTES,
  type RecordedChild,
  childrenOf,
  listingBodies,
} from '../../support/fake-reddit/cassettes';
import { CONFIG, ScriptedHttp, T0, json, manualSleep } from './helpers';

const recordedComments = childrenOf(
  listingBodies(CASSETTES.streamCommentsContinueAfterId, 'comments')[0] ?? '',
);
const recordedSubmissions = childrenOf(listingBodies(CASSETTES.listingNew, 'new')[0] ?? '');

/** Reddit's listing semantics, newest first: `before` pages towards newer items. */
function liveListing(items: () => readonly RecordedChild[]) {
  return (request: RedditHttpRequest) => {
    const url = new URL(request.url);
    const limit = Number(url.searchParams.get('limit') ?? 25);
    const before = url.searchParams.get('before');
    const all = items();
    let page: readonly RecordedChild[];
    if (before === null) page = all.slice(0, limit);
    else {
      const index = all.findIndex((child) => child.data.name === before);
      page = index < 0 ? [] : all.slice(Math.max(0, index - limit), index);
    }
    return json(200, { kind: 'Listing', data: { children: page } });
  };
}

function setup(overrides: Partial<RedditSourceOptions> = {}) {
  const clock = new ManualClock(T0);
  const http = new ScriptedHttp();
  const { sleep, waits } = manualSleep(clock);
  const budget = new RateLimitBudget(clock, sleep);
  let comments: RecordedChild[] = [...recordedComments];
  let submissions: RecordedChild[] = [...recordedSubmissions];
  const serveComments = liveListing(() => comments);
  const serveSubmissions = liveListing(() => submissions);
  http.fallback = (request) =>
    request.url.includes('/comments') ? serveComments(request) : serveSubmissions(request);
  const client = new RedditApiClient({
    config: CONFIG,
    clock,
    http,
    sleep,
    budget,
    random: () => 0,
  });
  const build = (checkpoint?: unknown) =>
    new RedditSource({
      client,
      streamId: 'unit-stream',
      subreddits: ['testsub', 'r/other'],
      kinds: ['submission', 'comment'],
      clock,
      checkpoint,
      tuning: { sleep, random: () => 0 },
      ...overrides,
    });
  return {
    clock,
    http,
    waits,
    build,
    publishComments: (newest: RecordedChild[]) => {
      comments = [...newest, ...comments];
    },
    deleteComment: (name: string) => {
      comments = comments.filter((c) => c.data.name !== name);
    },
    setSubmissions: (items: RecordedChild[]) => {
      submissions = items;
    },
  };
}

const signal = new AbortController().signal;

async function pullN(source: RedditSource, times: number, max = 100): Promise<RedditEvent[]> {
  const events: RedditEvent[] = [];
  for (let i = 0; i < times; i++) events.push(...(await source.pull(max, signal)).events);
  return events;
}

describe('RedditSource', () => {
  it('polls /new and /comments of the combined subreddits, one kind after the other', async () => {
    const { http, build } = setup();
    const source = build();
    const submissions = await source.pull(500, signal);
    const comments = await source.pull(500, signal);
    expect(http.apiRequests.map((r) => new URL(r.url).pathname)).toEqual([
      '/r/testsub+other/new',
      '/r/testsub+other/comments',
    ]);
    expect(submissions.events).toHaveLength(100);
    expect(submissions.events.every((e) => e.kind === 'submission')).toBe(true);
    expect(comments.events).toHaveLength(100);
    expect(comments.events[0]).toMatchObject({
      fullname: recordedComments.at(-1)?.data.name,
      source: 'reddit',
      streamId: 'unit-stream',
      ingestedUtc: T0 / 1000,
    });
    expect(source.selfPaced).toBe(true);
    expect(source.exhausted).toBe(false);
  });

  it('returns at most `max` per pull and checkpoints exactly what it returned', async () => {
    const { build } = setup({ kinds: ['comment'] });
    const first = build();
    const early = await pullN(first, 4, 7);
    expect(early).toHaveLength(28);
    const checkpoint = JSON.parse(JSON.stringify(first.checkpoint())) as RedditCheckpoint;
    expect(checkpoint.cursors.comment).toBe(early.at(-1)?.fullname);
    expect(checkpoint.recent).toEqual(early.map((e) => e.fullname));

    // Rebuilt from the checkpoint: the rest of the page, nothing twice, nothing lost.
    const second = build(checkpoint);
    const rest = await pullN(second, 6, 20);
    const all = [...early, ...rest].map((e) => e.fullname);
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(recordedComments.map((c) => c.data.name)));
  });

  it('after a restart whose cursor was deleted, recovers new items without duplicates', async () => {
    const { build, deleteComment, publishComments } = setup({ kinds: ['comment'] });
    const first = build();
    await pullN(first, 1);
    const checkpoint = first.checkpoint();
    deleteComment(checkpoint.cursors.comment ?? '');
    const fresh = childrenOf(listingBodies(CASSETTES.listingComments, 'comments')[0] ?? '').slice(
      0,
      2,
    );
    publishComments(fresh);
    const second = build(checkpoint);
    // Three empty `before` polls, then one without `before`.
    const events = await pullN(second, 4);
    expect(events.map((e) => e.fullname)).toEqual(fresh.map((c) => c.data.name).reverse());
  });

  it('waits for the next due poll, backing off while nothing is new', async () => {
    const { build, waits, clock } = setup({ kinds: ['comment'] });
    const source = build();
    await pullN(source, 1);
    await pullN(source, 4);
    // The first empty poll runs at once, then 1, 2, 4 s later (random() = 0: no jitter).
    expect(waits).toEqual([1000, 2000, 4000]);
    expect(source.status()).toMatchObject({ lastPollAtMs: clock.now(), lastError: null });
  });

  it('turns unusable items into rejects with their position and raw JSON cut to 4 KB', async () => {
    const { build, setSubmissions } = setup({ kinds: ['submission'] });
    const good = recordedSubmissions[0];
    if (!good) throw new Error('no recorded submission');
    setSubmissions([
      { kind: 't3', data: { ...good.data, name: 't3_zzz1', id: 'zzz1', created_utc: null } },
      { kind: 't3', data: { name: 't3_zzz2', id: 'zzz2', filler: 'x'.repeat(10_000) } },
      good,
    ]);
    const batch = await build().pull(100, signal);
    expect(batch.events.map((e) => e.fullname)).toEqual([good.data.name]);
    expect(batch.rejects).toHaveLength(2);
    expect(batch.rejects[0]).toMatchObject({
      reason: expect.stringMatching(/subreddit/),
      position: 'GET /r/testsub+other/new',
    });
    expect(batch.rejects[1]?.reason).toMatch(/created_utc/);
    expect(batch.rejects[0]?.raw.length).toBe(4096);
  });

  it('reports transient errors in status and carries on', async () => {
    const { build, http } = setup({ kinds: ['comment'] });
    http.api.push(
      () => json(503, ''),
      () => json(200, '<html>Ow! Reddit is under heavy load</html>'),
    );
    const source = build();
    const batch = await source.pull(100, signal);
    expect(batch.events).toEqual([]);
    expect(source.status().lastError).toBe(
      'GET /r/testsub+other/comments: the response is not JSON',
    );
    expect(await pullN(source, 1)).toHaveLength(100);
    expect(source.status().progress).toMatchObject({ polls: 2 });
  });

  it('ends the stream with FORBIDDEN when a subreddit turns private', async () => {
    const { build, http } = setup({ kinds: ['comment'] });
    http.api.push(() => json(403, { reason: 'private', message: 'Forbidden', error: 403 }));
    const source = build();
    await expect(source.pull(100, signal)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'private' },
    });
    expect(source.status().lastError).toMatch(/private/);
  });

  it('returns an empty batch promptly when the signal aborts or the source closes', async () => {
    const clock = new ManualClock(T0);
    const http = new ScriptedHttp();
    const client = new RedditApiClient({
      config: CONFIG,
      clock,
      http,
      budget: new RateLimitBudget(clock),
    });
    const source = new RedditSource({
      client,
      streamId: 's',
      subreddits: ['testsub'],
      kinds: ['comment'],
      clock,
    });
    await source.pull(100, signal); // empty: the next poll is due in a second
    const controller = new AbortController();
    const pending = source.pull(100, controller.signal);
    setTimeout(() => controller.abort(), 10);
    await expect(pending).resolves.toEqual({ events: [], rejects: [] });
    const closing = source.pull(100, signal);
    await source.close();
    await expect(closing).resolves.toEqual({ events: [], rejects: [] });
  });
});

describe('parseRedditCheckpoint', () => {
  it('keeps well-formed cursors and fullnames, drops the rest', () => {
    expect(
      parseRedditCheckpoint({
        cursors: { submission: 't3_abc', comment: 't3_wrongkind' },
        recent: ['t1_a', 'junk', 42, 't3_b'],
      }),
    ).toEqual({ cursors: { submission: 't3_abc' }, recent: ['t1_a', 't3_b'] });
    expect(parseRedditCheckpoint(null)).toEqual({ cursors: {}, recent: [] });
    expect(parseRedditCheckpoint('nonsense')).toEqual({ cursors: {}, recent: [] });
  });
});

import { AppError } from '@app/common/app-error';
import { ManualClock } from '@app/common/clock';
import { RedditApiClient } from '@app/ingest/sources/reddit/reddit-api-client';
import { RateLimitBudget } from '@app/ingest/sources/reddit/rate-limit';
import {
  interpretAboutResponse,
  validateSubreddits,
} from '@app/ingest/sources/reddit/subreddit-about';
import { CASSETTES, loadCassette } from '../../support/fake-reddit/cassettes';
import { CONFIG, ScriptedHttp, T0, json, manualSleep } from './helpers';

function t5(data: Record<string, unknown>) {
  return json(200, {
    kind: 't5',
    data: { display_name: 'AskReddit', subreddit_type: 'public', quarantine: false, ...data },
  });
}

function refusal(subreddit: string, response: ReturnType<typeof json>): AppError {
  try {
    interpretAboutResponse(subreddit, response);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('interpretAboutResponse', () => {
  it('returns a readable subreddit', () => {
    expect(
      interpretAboutResponse('AskReddit', t5({ over18: false, subscribers: 45_000_000 })),
    ).toEqual({
      name: 'askreddit',
      displayName: 'AskReddit',
      subredditType: 'public',
      over18: false,
      subscribers: 45_000_000,
    });
    expect(interpretAboutResponse('x', t5({ subreddit_type: 'restricted' })).subredditType).toBe(
      'restricted',
    );
  });

  it("maps Reddit's 404 to NOT_FOUND", () => {
    const error = refusal('nosuchsub', json(404, '{"message": "Not Found", "error": 404}'));
    expect(error).toMatchObject({
      code: 'NOT_FOUND',
      message: 'subreddit r/nosuchsub does not exist',
      details: { subreddit: 'nosuchsub', reason: 'not_found' },
    });
  });

  it('maps the 302 to /subreddits/search (unknown names) to NOT_FOUND', () => {
    const response = json(302, '{}', {
      location: 'https://oauth.reddit.com/subreddits/search.json?q=nosuchsub',
    });
    expect(refusal('nosuchsub', response)).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('maps a banned subreddit (404 with reason) to FORBIDDEN', () => {
    const response = json(404, { reason: 'banned', message: 'Not Found', error: 404 });
    expect(refusal('naughty', response)).toMatchObject({
      code: 'FORBIDDEN',
      message: 'subreddit r/naughty is banned',
      details: { subreddit: 'naughty', reason: 'banned' },
    });
  });

  it.each(['private', 'quarantined', 'gold_only'])('maps 403 reason %p to FORBIDDEN', (reason) => {
    const error = refusal('x', json(403, { reason, message: 'Forbidden', error: 403 }));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.details).toEqual({ subreddit: 'x', reason });
  });

  it('maps the recorded quarantine 403, which names no reason, to FORBIDDEN', () => {
    const recorded = loadCassette(CASSETTES.quarantineOptOut).find(
      (i) => i.response.status === 403,
    );
    expect(recorded?.response.body).toBe('{"message": "Forbidden", "error": 403}');
    const error = refusal('ferguson', recorded?.response ?? json(500, ''));
    expect(error).toMatchObject({
      code: 'FORBIDDEN',
      details: { subreddit: 'ferguson', reason: 'forbidden' },
    });
  });

  it('refuses quarantined (opted in) and private subreddits answered with 200', () => {
    expect(refusal('x', t5({ quarantine: true }))).toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'quarantined' },
    });
    expect(refusal('x', t5({ subreddit_type: 'private' }))).toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'private' },
    });
  });

  it('treats a 200 that is not a t5 as not found', () => {
    const listing = json(200, { kind: 'Listing', data: { children: [] } });
    expect(refusal('x', listing)).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('RedditApiClient.about and validateSubreddits', () => {
  function setup() {
    const clock = new ManualClock(T0);
    const http = new ScriptedHttp();
    const { sleep } = manualSleep(clock);
    const client = new RedditApiClient({
      config: CONFIG,
      clock,
      http,
      sleep,
      random: () => 0.5,
      budget: new RateLimitBudget(clock, sleep),
    });
    return { http, client };
  }

  it('GETs /r/{name}/about with raw_json=1', async () => {
    const { http, client } = setup();
    http.api.push(() => t5({ display_name: 'pics' }));
    await expect(client.about('r/pics')).resolves.toMatchObject({ name: 'pics' });
    expect(http.apiRequests[0]?.url).toBe('https://api.test/r/pics/about?raw_json=1');
  });

  it('refuses an invalid name without asking Reddit', async () => {
    const { http, client } = setup();
    await expect(client.about('no spaces/allowed')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(http.requests).toHaveLength(0);
  });

  it('gives up on an outage after a few attempts with DEPENDENCY_UNAVAILABLE', async () => {
    const { http, client } = setup();
    http.fallback = () => json(503, '');
    await expect(client.about('pics')).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    expect(http.apiRequests).toHaveLength(4);
  });

  it('checks subreddits one after another and stops at the first refusal', async () => {
    const { http, client } = setup();
    http.api.push(
      () => t5({ display_name: 'pics' }),
      () => json(403, { reason: 'private', message: 'Forbidden', error: 403 }),
    );
    await expect(
      validateSubreddits(client, ['pics', 'secret', 'never_asked']),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { subreddit: 'secret', reason: 'private' },
    });
    expect(http.apiRequests.map((r) => new URL(r.url).pathname)).toEqual([
      '/r/pics/about',
      '/r/secret/about',
    ]);
  });
});

import { randomBytes } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp, startApp } from '@app/bootstrap';
import { dropNamespace } from '../support/cleanup';
import {
  eventually,
  TEST_API_KEY,
  testNamespace,
  type TestNamespace,
} from '../support/environment';
import {
  CASSETTES,
  fullnamesOf,
  listingBodies,
  TEST_SUBREDDIT,
} from '../support/fake-reddit/cassettes';
import { FakeReddit } from '../support/fake-reddit/fake-reddit';
import { readTopic, topicSize } from '../support/kafka-topics';

jest.setTimeout(180_000);

interface StreamBody {
  id: string;
  state: string;
  produced: { total: number; comments: number; submissions: number };
  lastError: string | null;
  rateLimit: { remaining: number | null; resetAt: string | null } | null;
}

const commentPages = listingBodies(CASSETTES.streamCommentsContinueAfterId, 'comments');
const expected = new Set(commentPages.flatMap(fullnamesOf));

/**
 * Reddit streams through the HTTP API into the real Kafka, against a local
 * fake Reddit that replays the recorded API responses: every recorded comment
 * lands on the events topic exactly once, across a server restart too.
 */
describe('reddit streams end to end', () => {
  let fake: FakeReddit;
  let ns: TestNamespace;
  let app: INestApplication | null = null;
  let http: ReturnType<typeof request>;
  const post = (url: string) => http.post(url).set('x-api-key', TEST_API_KEY);

  const start = async () => {
    app = await createApp(ns.config);
    await startApp(app, '127.0.0.1', 0);
    http = request(app.getHttpServer());
  };

  beforeAll(async () => {
    fake = await FakeReddit.start({
      clientId: `e2e-${randomBytes(4).toString('hex')}`,
      rateLimit: { limit: 30, windowMs: 2000 },
      subreddits: {
        [TEST_SUBREDDIT]: 'public',
        lockedaway: 'private',
        ferguson: 'quarantined-recorded',
        gone: 'banned',
      },
    });
    // The recorded /comments stream: a first page, then a `before` page that overlaps it.
    fake.scriptListing(`/r/${TEST_SUBREDDIT}/comments`, commentPages);
    ns = testNamespace({
      REDDIT_CLIENT_ID: fake.clientId,
      REDDIT_CLIENT_SECRET: fake.clientSecret,
      REDDIT_USER_AGENT: 'nodejs:reddit-live-analytics-e2e:0.1.0 (by /u/test_bot)',
      REDDIT_AUTH_BASE_URL: fake.authBaseUrl,
      REDDIT_API_BASE_URL: fake.apiBaseUrl,
      REDDIT_REQUEST_TIMEOUT_MS: '2000',
    });
    await start();
  });

  afterAll(async () => {
    await app?.close();
    await fake?.close();
    await dropNamespace(ns.config);
  });

  it('checks subreddits before starting: 404 unknown, 403 private or quarantined or banned', async () => {
    const unknown = await post('/api/streams')
      .send({ source: 'reddit', subreddits: ['doesnotexist'] })
      .expect(404);
    expect((unknown.body as { message: string }).message).toContain('doesnotexist');
    for (const name of ['lockedaway', 'ferguson', 'gone']) {
      const refused = await post('/api/streams')
        .send({ source: 'reddit', subreddits: [name] })
        .expect(403);
      expect((refused.body as { message: string }).message).toContain(name);
    }
    const reasons = await post('/api/streams')
      .send({ source: 'reddit', subreddits: ['lockedaway'] })
      .expect(403);
    expect((reasons.body as { message: string }).message).toMatch(/private/);
  });

  it('streams every recorded comment to Kafka once, and resumes after a restart without duplicates', async () => {
    await post('/api/streams')
      .send({
        id: 'live-comments',
        source: 'reddit',
        subreddits: [TEST_SUBREDDIT],
        kinds: ['comments'],
      })
      .expect(201);
    const running = await eventually(
      async () => (await http.get('/api/streams/live-comments').expect(200)).body as StreamBody,
      (body) => body.produced.comments >= expected.size,
      { what: `${expected.size} recorded comments produced` },
    );
    expect(running.state).toBe('running');
    expect(running.rateLimit?.remaining).not.toBeNull();

    await app!.close();
    app = null;
    await start();
    // The restarted server resumes the stream by itself and keeps polling.
    await eventually(
      async () => (await http.get('/api/streams/live-comments').expect(200)).body as StreamBody,
      (body) => body.state === 'running',
      { what: 'the stream to be running again after the restart' },
    );
    const pollsBefore = fake.apiRequests(`/r/${TEST_SUBREDDIT}/comments`).length;
    await eventually(
      () => Promise.resolve(fake.apiRequests(`/r/${TEST_SUBREDDIT}/comments`).length),
      (n) => n >= pollsBefore + 2,
      { what: 'more polls after the restart' },
    );

    const messages = await readTopic(ns.config, ns.config.kafka.topics.events, expected.size);
    expect(await topicSize(ns.config, ns.config.kafka.topics.events)).toBe(expected.size);
    const fullnames = messages.map((m) => (JSON.parse(m.value) as { fullname: string }).fullname);
    expect(new Set(fullnames)).toEqual(expected);
    expect(fake.budgetExceeded).toBe(0);

    const stopped = (
      await http.delete('/api/streams/live-comments').set('x-api-key', TEST_API_KEY).expect(200)
    ).body as StreamBody;
    expect(stopped.state).toBe('stopped');
  });
});

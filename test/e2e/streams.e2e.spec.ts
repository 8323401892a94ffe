import { type INestApplication } from '@nestjs/common';
import { SyntheticRedditGenerator } from '@app/ingest/sources/synthetic/synthetic-generator';
import { dropNamespace } from '../support/cleanup';
import { type HttpTestApp, startHttpApp } from '../support/http-app';
import {
  eventually,
  TEST_API_KEY,
  testNamespace,
  type TestNamespace,
} from '../support/environment';

jest.setTimeout(180_000);

interface WindowBody {
  windowStart: string;
  submissions: number;
  comments: number;
  events: number;
}

describe('HTTP API end to end (real Kafka, Cassandra, PostgreSQL)', () => {
  let ns: TestNamespace;
  let app: INestApplication;
  let http: HttpTestApp['http'];
  let post: HttpTestApp['post'];
  let del: HttpTestApp['del'];

  beforeAll(async () => {
    ns = testNamespace();
    ({ app, http, post, del } = await startHttpApp(ns));
  });

  afterAll(async () => {
    await app?.close();
    await dropNamespace(ns.config);
  });

  it('starts a synthetic stream, serves its windows, lists and stops it', async () => {
    const startTime = '2025-02-01T00:00:00.000Z';
    const definition = {
      source: 'synthetic',
      subreddits: ['AskReddit', 'worldnews'],
      ratePerSecond: 400,
      synthetic: { seed: 5, startTime, eventIntervalMs: 100 },
    };
    const started = await post('/api/streams').send(definition).expect(201);
    const id = (started.body as { id: string }).id;
    expect(started.body).toMatchObject({
      state: 'running',
      subreddits: ['askreddit', 'worldnews'],
    });

    // Windows appear while the stream runs.
    const query = `/api/subreddits/AskReddit/windows?from=${startTime}&to=2025-02-01T01:00:00Z`;
    const windows = await eventually(
      async () => (await http.get(query).expect(200)).body as { windows: WindowBody[] },
      (body) => body.windows.length >= 2,
      { what: 'at least two windows via the API' },
    );
    expect(windows.windows[0]?.windowStart).toBe(startTime);

    const listed = await http.get('/api/streams').expect(200);
    expect((listed.body as { id: string }[]).map((s) => s.id)).toContain(id);

    const stopped = await del(`/api/streams/${id}`).expect(200);
    const final = stopped.body as { state: string; produced: { total: number } };
    expect(final.state).toBe('stopped');
    expect(final.produced.total).toBeGreaterThan(0);

    // Everything produced before the stop is eventually counted, once, in the
    // windows the generator's own output says.
    const generator = new SyntheticRedditGenerator({
      seed: 5,
      subreddits: definition.subreddits,
      kinds: ['submission', 'comment'],
      startTimeMs: Date.parse(startTime),
      eventIntervalMs: 100,
      streamId: id,
    });
    const produced = generator.take(final.produced.total);
    const expectedBySub = new Map<string, number>();
    for (const item of produced) {
      expectedBySub.set(item.subreddit, (expectedBySub.get(item.subreddit) ?? 0) + 1);
    }
    for (const [subreddit, count] of expectedBySub) {
      const url = `/api/subreddits/${subreddit}/windows?from=${startTime}&to=2025-02-01T01:00:00Z`;
      await eventually(
        async () => (await http.get(url).expect(200)).body as { windows: WindowBody[] },
        (body) => body.windows.reduce((sum, w) => sum + w.events, 0) === count,
        { what: `${count} events counted for ${subreddit}` },
      );
    }

    // The hopping windows hold the same events, each in five overlapping windows.
    const hopping = (
      await http
        .get(
          `/api/subreddits/AskReddit/windows?window=5m%2F1m&from=2025-01-31T23:00:00Z&to=2025-02-01T01:00:00Z`,
        )
        .expect(200)
    ).body as { window: string; windows: (WindowBody & { uniqueAuthors: number })[] };
    expect(hopping.window).toBe('5m/1m');
    expect(hopping.windows.reduce((sum, w) => sum + w.events, 0)).toBe(
      5 * (expectedBySub.get('askreddit') ?? Number.NaN),
    );
    expect(hopping.windows.every((w) => w.uniqueAuthors >= 1)).toBe(true);

    // The latest posts, newest first, are the generator's newest AskReddit items.
    const latest = (
      await http
        .get('/api/subreddits/AskReddit/posts?limit=5&before=2025-02-01T01:00:00Z')
        .expect(200)
    ).body as { posts: { fullname: string; createdAt: string }[] };
    const newest = produced
      .filter((item) => item.subreddit === 'askreddit')
      .sort((a, b) => b.createdUtc - a.createdUtc || (a.fullname < b.fullname ? 1 : -1))
      .slice(0, 5);
    expect(latest.posts.map((p) => p.createdAt)).toEqual(
      newest.map((item) => new Date(item.createdUtc * 1000).toISOString()),
    );
  });

  it('answers 409 when the same stream is started twice', async () => {
    const definition = {
      source: 'synthetic',
      subreddits: ['pics'],
      ratePerSecond: 5,
      synthetic: { seed: 99 },
    };
    const first = await post('/api/streams').send(definition).expect(201);
    const second = await post('/api/streams').send(definition).expect(409);
    const id = (first.body as { id: string }).id;
    expect(second.body).toMatchObject({ statusCode: 409, error: 'CONFLICT' });
    expect((second.body as { message: string }).message).toContain(id);
    await del(`/api/streams/${id}`).expect(200);
    // Once stopped, the same definition may start again.
    await post('/api/streams').send(definition).expect(201);
    await del(`/api/streams/${id}`).expect(200);
  });

  it('answers 404 when stopping or reading an unknown stream', async () => {
    const stop = await del('/api/streams/no-such-stream').expect(404);
    expect(stop.body).toMatchObject({ statusCode: 404, error: 'NOT_FOUND' });
    expect((stop.body as { message: string }).message).toContain('no-such-stream');
    await http.get('/api/streams/no-such-stream').expect(404);
    await post('/api/streams/no-such-stream/pause').expect(404);
    await post('/api/streams/no-such-stream/resume').expect(404);
  });

  it.each([
    [{ source: 'synthetic', subreddits: ['no spaces allowed'] }, 'subreddits'],
    [{ source: 'synthetic', subreddits: ['a'] }, 'subreddits'],
    [{ source: 'synthetic', subreddits: [] }, 'subreddits'],
    [{ source: 'synthetic' }, 'subreddits'],
    [{ source: 'telepathy', subreddits: ['pics'] }, 'source'],
    [{ source: 'synthetic', subreddits: ['pics'], ratePerSecond: -1 }, 'ratePerSecond'],
    [{ source: 'synthetic', subreddits: ['pics'], kinds: ['likes'] }, 'kinds'],
    [
      { source: 'synthetic', subreddits: ['pics'], synthetic: { startTime: 'yesterday' } },
      'startTime',
    ],
    [
      { source: 'synthetic', subreddits: ['pics'], synthetic: { seed: 1, colour: 'red' } },
      'colour',
    ],
    [{ source: 'synthetic', subreddits: ['pics'], colour: 'red' }, 'colour'],
    [{ source: 'reddit', subreddits: ['pics'], ratePerSecond: 5 }, 'ratePerSecond'],
    [{ source: 'reddit', subreddits: [] }, 'subreddits'],
    [{ source: 'replay' }, 'replay'],
    [{ source: 'replay', replay: { file: 'x.zst', speed: 'warp' } }, 'replay.speed'],
    [
      {
        source: 'replay',
        replay: { file: 'x.zst', from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' },
      },
      'replay.from',
    ],
  ])('answers 400 naming the field for %j', async (body, field) => {
    const response = await post('/api/streams').send(body).expect(400);
    expect(response.body).toMatchObject({ statusCode: 400 });
    expect((response.body as { message: string }).message).toContain(field);
  });

  it('requires the API key on mutating endpoints, compared exactly', async () => {
    const body = { source: 'synthetic', subreddits: ['pics'] };
    const missing = await http.post('/api/streams').send(body).expect(401);
    expect(missing.body).toMatchObject({ statusCode: 401, error: 'UNAUTHORIZED' });
    expect((missing.body as { message: string }).message).toContain('x-api-key');
    await http.post('/api/streams').set('x-api-key', `${TEST_API_KEY}x`).send(body).expect(401);
    await http
      .post('/api/streams')
      .set('x-api-key', TEST_API_KEY.slice(0, -1))
      .send(body)
      .expect(401);
    await http.delete('/api/streams/anything').expect(401);
    await http.post('/api/streams/anything/pause').expect(401);
    // Bearer works too; reads stay open by default.
    await http
      .delete('/api/streams/anything')
      .set('authorization', `Bearer ${TEST_API_KEY}`)
      .expect(404);
    await http.get('/api/streams').expect(200);
  });

  it('pauses and resumes a stream without gaps or repeats', async () => {
    const definition = {
      id: 'pause-resume',
      source: 'synthetic',
      subreddits: ['gaming'],
      ratePerSecond: 200,
      synthetic: { seed: 8, startTime: '2025-03-01T00:00:00Z', eventIntervalMs: 100 },
    };
    await post('/api/streams').send(definition).expect(201);
    await eventually(
      async () =>
        (await http.get('/api/streams/pause-resume').expect(200)).body as {
          produced: { total: number };
        },
      (body) => body.produced.total > 50,
      { what: 'some events before pausing' },
    );
    const paused = (await post('/api/streams/pause-resume/pause').expect(200)).body as {
      state: string;
      produced: { total: number };
    };
    expect(paused.state).toBe('paused');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const still = (await http.get('/api/streams/pause-resume').expect(200)).body as typeof paused;
    expect(still.produced.total).toBe(paused.produced.total);
    await post('/api/streams/pause-resume/pause').expect(200);
    const resumed = (await post('/api/streams/pause-resume/resume').expect(200))
      .body as typeof paused;
    expect(resumed.state).toBe('running');
    await eventually(
      async () => (await http.get('/api/streams/pause-resume').expect(200)).body as typeof paused,
      (body) => body.produced.total > paused.produced.total + 50,
      { what: 'more events after resuming' },
    );
    const final = (await del('/api/streams/pause-resume').expect(200)).body as typeof paused;
    await post('/api/streams/pause-resume/resume').expect(409);

    // Every produced event is counted once: the windows hold exactly the total.
    await eventually(
      async () =>
        (
          await http
            .get('/api/subreddits/gaming/windows?from=2025-03-01T00:00:00Z&to=2025-03-02T00:00:00Z')
            .expect(200)
        ).body as { windows: WindowBody[] },
      (body) => body.windows.reduce((sum, w) => sum + w.events, 0) === final.produced.total,
      { what: `${final.produced.total} events in the gaming windows` },
    );
  });

  it('answers 422 naming the missing settings when a reddit stream has no credentials', async () => {
    const response = await post('/api/streams')
      .send({ source: 'reddit', subreddits: ['pics'] })
      .expect(422);
    const message = (response.body as { message: string }).message;
    expect(message).toContain('REDDIT_CLIENT_ID');
    expect(message).toContain('REDDIT_USER_AGENT');
  });

  it('answers 413 naming the limit for an oversized body, and 400 for malformed JSON', async () => {
    const huge = { source: 'synthetic', subreddits: ['pics'], id: 'x'.repeat(300 * 1024) };
    const tooLarge = await post('/api/streams').send(huge).expect(413);
    expect((tooLarge.body as { message: string }).message).toContain(
      String(ns.config.http.bodyLimitBytes),
    );
    await post('/api/streams')
      .set('content-type', 'application/json')
      .send('{"source": bad')
      .expect(400);
  });

  it('validates the windows query', async () => {
    const badName = await http.get('/api/subreddits/bad%20name/windows').expect(400);
    expect((badName.body as { message: string }).message).toContain('name');
    const badFrom = await http.get('/api/subreddits/pics/windows?from=soon').expect(400);
    expect((badFrom.body as { message: string }).message).toContain('from');
    const reversed = await http
      .get('/api/subreddits/pics/windows?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z')
      .expect(400);
    expect((reversed.body as { message: string }).message).toContain('from');
    const empty = await http.get('/api/subreddits/pics/windows').expect(200);
    expect(empty.body).toMatchObject({ subreddit: 'pics', window: '1m', windows: [] });
    const unknownSpec = await http.get('/api/subreddits/pics/windows?window=2m').expect(400);
    expect((unknownSpec.body as { message: string }).message).toContain('1m, 5m/1m');
    const badSpec = await http.get('/api/subreddits/pics/windows?window=often').expect(400);
    expect((badSpec.body as { message: string }).message).toContain('window');
    const badLimit = await http.get('/api/subreddits/pics/posts?limit=0').expect(400);
    expect((badLimit.body as { message: string }).message).toContain('limit');
    const noPosts = await http.get('/api/subreddits/pics/posts').expect(200);
    expect(noPosts.body).toEqual({ subreddit: 'pics', posts: [] });
  });

  it('reports dependency health and serves metrics and the Swagger document', async () => {
    const health = await http.get('/health').expect(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      dependencies: {
        kafka: { status: 'up' },
        cassandra: { status: 'up' },
        warehouse: { status: 'up' },
      },
    });
    const metrics = await http.get('/metrics').expect(200);
    expect(metrics.text).toContain('reddit_events_produced_total');
    expect(metrics.text).toContain('process_resident_memory_bytes');
    const docs = await http.get('/docs/json').expect(200);
    const paths = Object.keys((docs.body as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/streams',
        '/api/streams/{id}',
        '/api/subreddits/{name}/windows',
        '/api/subreddits/{name}/posts',
        '/health',
        '/metrics',
      ]),
    );
    await http.get('/docs').expect(200);
  });

  it("tells in a stream's status and in /health what happened to its events, late drops included", async () => {
    interface Consumed {
      applied: number;
      lateApplied: number;
      tooLate: number;
      tooLateTo: string;
      duplicates: number;
      deadLettered: number;
    }
    const consumedOf = async (id: string) =>
      ((await http.get(`/api/streams/${id}`).expect(200)).body as { consumed: Consumed | null })
        .consumed;
    // A live stream moves the subreddit's partition to the present...
    const live = await post('/api/streams')
      .send({
        id: 'outcomes-live',
        source: 'synthetic',
        subreddits: ['outcomes'],
        ratePerSecond: 200,
        maxEvents: 200,
        synthetic: { seed: 11, startTime: new Date().toISOString(), eventIntervalMs: 100 },
      })
      .expect(201);
    expect((live.body as { id: string }).id).toBe('outcomes-live');
    await eventually(
      () => consumedOf('outcomes-live'),
      (c) => c?.applied === 200,
      { what: 'the live stream applied in full' },
    );
    // ...so history from 2016 on the same subreddit is too late for every window.
    await post('/api/streams')
      .send({
        id: 'outcomes-history',
        source: 'synthetic',
        subreddits: ['outcomes'],
        ratePerSecond: 200,
        maxEvents: 50,
        synthetic: { seed: 12, startTime: '2016-06-01T00:00:00Z', eventIntervalMs: 1000 },
      })
      .expect(201);
    const history = await eventually(
      () => consumedOf('outcomes-history'),
      (c) => (c?.applied ?? 0) + (c?.tooLate ?? 0) === 50,
      { what: 'every historical event accounted for' },
    );
    expect(history).toMatchObject({
      applied: 0,
      tooLate: 50,
      tooLateTo: ns.config.kafka.topics.lateEvents,
      duplicates: 0,
      deadLettered: 0,
    });
    const health = (await http.get('/health')).body as {
      streaming: { tooLate: { streamId: string; events: number }[] };
      warnings: string[];
    };
    expect(health.streaming.tooLate).toContainEqual(
      expect.objectContaining({ streamId: 'outcomes-history', events: 50 }),
    );
    expect(health.warnings.join('\n')).toContain('stream outcomes-history: 50 event(s) too late');
    const metrics = (await http.get('/metrics').expect(200)).text;
    expect(metrics).toContain(
      'reddit_stream_events_total{stream="outcomes-history",outcome="tooLate"} 50',
    );
  });

  it('shows the key lock in Swagger only on the operations that need the key', async () => {
    const docs = (await http.get('/docs/json').expect(200)).body as {
      security?: unknown[];
      paths: Record<string, Record<string, { security?: Record<string, unknown>[] }>>;
    };
    expect(docs.security ?? []).toEqual([]);
    const locked: string[] = [];
    const open: string[] = [];
    for (const [path, item] of Object.entries(docs.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        (operation.security?.length ? locked : open).push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(locked.sort()).toEqual([
      'DELETE /api/streams/{id}',
      'POST /api/streams',
      'POST /api/streams/{id}/pause',
      'POST /api/streams/{id}/resume',
    ]);
    expect(open).toEqual(
      expect.arrayContaining([
        'GET /health',
        'GET /metrics',
        'GET /api/streams',
        'GET /api/subreddits/{name}/windows',
        'POST /api/nlp/analyze',
      ]),
    );
  });

  it('answers in one error vocabulary: validation and range checks, unknown paths, 405', async () => {
    // A DTO validation failure and a service range check use the same code.
    const validation = await post('/api/streams').send({ source: 'nope' }).expect(400);
    expect(validation.body).toMatchObject({ statusCode: 400, error: 'INVALID_INPUT' });
    const range = await post('/api/streams')
      .send({
        source: 'replay',
        replay: { file: 'x.jsonl', from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' },
      })
      .expect(400);
    expect(range.body).toMatchObject({ statusCode: 400, error: 'INVALID_INPUT' });
    const badQuery = await http.get('/api/subreddits/pics/posts?limit=0').expect(400);
    expect(badQuery.body).toMatchObject({ error: 'INVALID_INPUT' });

    // A known path with the wrong method is 405 with Allow; an unknown path stays 404.
    const wrongMethod = await http.put('/api/streams').expect(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD, POST');
    expect(wrongMethod.body).toMatchObject({ statusCode: 405, error: 'METHOD_NOT_ALLOWED' });
    const wrongOnParam = await http.patch('/api/streams/some-id').expect(405);
    expect(wrongOnParam.headers.allow).toBe('DELETE, GET, HEAD');
    const unknown = await http.get('/api/no-such-thing').expect(404);
    expect(unknown.body).toMatchObject({ statusCode: 404, error: 'NOT_FOUND' });
    // The path only: a query string can carry a key, and is never echoed back.
    const withKey = await http.get(`/api/no-such-thing?apiKey=${TEST_API_KEY}&x=1`).expect(404);
    expect(withKey.body).toMatchObject({ message: 'Cannot GET /api/no-such-thing' });
    expect(JSON.stringify(withKey.body)).not.toContain(TEST_API_KEY);
    expect(withKey.headers['x-powered-by']).toBeUndefined();
  });
});

import { AppConfig, ConfigValidationError, validateEnvironment } from '@app/config';

const minimal = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  CASSANDRA_CONTACT_POINTS: '127.0.0.1:9042',
  WAREHOUSE_URL: 'postgres://postgres@127.0.0.1:5432/reddit_analytics',
  API_KEY: 'k'.repeat(20),
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    validateEnvironment(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('validateEnvironment', () => {
  it('accepts the minimal environment and fills defaults', () => {
    const config = AppConfig.fromEnvironment(validateEnvironment(minimal));
    expect(config.http.port).toBe(3000);
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.topics).toEqual({
      events: 'reddit.events',
      windows: 'reddit.windows',
      trends: 'reddit.trends',
      trendMinutes: 'reddit.trend-minutes',
      deadLetter: 'reddit.dead-letter',
      lateEvents: 'reddit.late-events',
    });
    expect(config.kafka.partitions).toBe(6);
    expect(config.cassandra.keyspace).toBe('reddit_analytics');
    expect(config.warehouse.dialect).toBe('postgres');
    expect(config.logging.format).toBe('pretty');
    // Every post in both stores unless told otherwise.
    expect(config.cassandra.posts).toEqual({ keep: 'all' });
    expect(config.warehouse.posts).toEqual({ keep: 'all' });
    const sampled = AppConfig.fromEnvironment(
      validateEnvironment({ ...minimal, CASSANDRA_POSTS: 'sample:0.05', WAREHOUSE_POSTS: 'none' }),
    );
    expect(sampled.cassandra.posts).toEqual({ keep: 'sample', fraction: 0.05 });
    expect(sampled.warehouse.posts).toEqual({ keep: 'none' });
  });

  it('parses numbers and lists', () => {
    const config = AppConfig.fromEnvironment(
      validateEnvironment({
        ...minimal,
        PORT: '8080',
        KAFKA_BROKERS: 'a:9092,b:9094',
        KAFKA_TOPIC_PARTITIONS: '12',
        NODE_ENV: 'production',
      }),
    );
    expect(config.http.port).toBe(8080);
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9094']);
    expect(config.kafka.partitions).toBe(12);
    expect(config.logging.format).toBe('json');
  });

  it.each(['KAFKA_BROKERS', 'CASSANDRA_CONTACT_POINTS', 'WAREHOUSE_URL', 'API_KEY'])(
    'names the missing required variable %s',
    (name) => {
      const env: Record<string, string | undefined> = { ...minimal, [name]: undefined };
      const found = problems(env);
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(name);
      expect(found[0]).toContain('missing');
    },
  );

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['KAFKA_BROKERS', 'localhost'],
    ['KAFKA_TOPIC_PARTITIONS', '0'],
    ['WAREHOUSE_DIALECT', 'mysql'],
    ['CASSANDRA_POSTS', 'some'],
    ['WAREHOUSE_POSTS', 'sample:2'],
    ['CASSANDRA_KEYSPACE', 'Bad-Name'],
    ['LOG_LEVEL', 'loud'],
    ['API_KEY', 'short'],
    ['READS_REQUIRE_API_KEY', 'maybe'],
    ['REDDIT_API_BASE_URL', 'oauth.reddit.com'],
  ])('names the malformed variable %s=%s', (name, value) => {
    const found = problems({ ...minimal, [name]: value });
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((problem) => problem.includes(name))).toBe(true);
  });

  it('reports every bad variable at once', () => {
    const found = problems({ PORT: 'x' });
    const named = ['PORT', 'KAFKA_BROKERS', 'CASSANDRA_CONTACT_POINTS', 'WAREHOUSE_URL'];
    for (const name of named) expect(found.some((problem) => problem.includes(name))).toBe(true);
  });

  it('parses the streaming settings and names a bad window spec', () => {
    const config = AppConfig.fromEnvironment(
      validateEnvironment({
        ...minimal,
        WINDOW_SPECS: '1m,10m/2m,1h',
        WINDOW_ALLOWED_LATENESS_MS: '0',
      }),
    );
    expect(config.streaming).toMatchObject({
      windowSpecs: ['1m', '10m/2m', '1h'],
      outOfOrdernessMs: 10_000,
      idleTimeoutMs: 30_000,
      allowedLatenessMs: 0,
      windowFlushIntervalMs: 1000,
      checkpointIntervalMs: 5000,
    });
    expect(
      problems({
        ...minimal,
        WINDOW_FLUSH_INTERVAL_MS: '2000',
        STREAMING_CHECKPOINT_INTERVAL_MS: '1000',
      }),
    ).toEqual([
      'STREAMING_CHECKPOINT_INTERVAL_MS must be at least WINDOW_FLUSH_INTERVAL_MS (2000) (got 1000)',
    ]);
    expect(problems({ ...minimal, WINDOW_SPECS: '1 minute' })).toEqual([
      expect.stringContaining('WINDOW_SPECS must be a comma-separated list like "1m,5m/1m"'),
    ]);
    expect(problems({ ...minimal, WINDOW_SPECS: '5m/2m' })).toEqual([
      expect.stringMatching(/^WINDOW_SPECS: window size 5m must be a multiple of slide 2m/),
    ]);
    expect(problems({ ...minimal, WINDOW_SPECS: '1m,60s' })).toEqual([
      'WINDOW_SPECS: 1m is listed twice',
    ]);
    // Trends judge the 1-minute windows' minutes.
    expect(problems({ ...minimal, WINDOW_SPECS: '5m' })).toEqual([
      expect.stringMatching(/^TRENDS_ENABLED: .*WINDOW_SPECS must list 1m/),
    ]);
    expect(problems({ ...minimal, WINDOW_SPECS: '5m', TRENDS_ENABLED: 'false' })).toEqual([]);
    expect(problems({ ...minimal, WATERMARK_OUT_OF_ORDERNESS_MS: '-5' })[0]).toContain(
      'WATERMARK_OUT_OF_ORDERNESS_MS',
    );
  });

  it('never echoes secrets in its messages', () => {
    const found = problems({
      ...minimal,
      WAREHOUSE_URL: 'mysql://admin:hunter2secret@db/x',
      API_KEY: 'tooshortkey',
    });
    expect(found.join(' ')).not.toContain('hunter2secret');
    expect(found.join(' ')).not.toContain('tooshortkey');
    expect(found.join(' ')).toContain('WAREHOUSE_URL');
    expect(found.join(' ')).toContain('API_KEY');
  });

  it('reads Reddit settings and the replay directory', () => {
    const config = AppConfig.fromEnvironment(
      validateEnvironment({
        ...minimal,
        REDDIT_CLIENT_ID: 'abc',
        REDDIT_CLIENT_SECRET: 'def',
        REDDIT_USER_AGENT: 'linux:reddit-analytics:0.1.0 (by /u/someone)',
        REDDIT_API_BASE_URL: 'http://127.0.0.1:8080/',
        REPLAY_DIR: '/srv/dumps',
        READS_REQUIRE_API_KEY: 'true',
      }),
    );
    expect(config.reddit).toMatchObject({
      clientId: 'abc',
      clientSecret: 'def',
      username: null,
      apiBaseUrl: 'http://127.0.0.1:8080',
      authBaseUrl: 'https://www.reddit.com',
    });
    expect(config.ingest.replayDir).toBe('/srv/dumps');
    expect(config.api.readsRequireApiKey).toBe(true);
  });
});

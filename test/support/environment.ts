import { randomBytes } from 'node:crypto';
import { AppConfig, validateEnvironment } from '@app/config';

/**
 * Settings for tests against the local stack (scripts/stack.sh). Each call gets
 * its own topics, consumer group, keyspace and warehouse schema, so test files
 * never see each other's data nor the developer's.
 */
export interface TestNamespace {
  readonly id: string;
  readonly config: AppConfig;
  readonly env: Record<string, string>;
}

export const STACK = {
  kafkaBrokers: process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092',
  cassandra: process.env.TEST_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042',
  warehouseUrl:
    process.env.TEST_WAREHOUSE_URL ?? 'postgres://postgres@127.0.0.1:5432/reddit_analytics_test',
  prometheusUrl: process.env.TEST_PROMETHEUS_URL ?? 'http://127.0.0.1:9090',
  /** The port Prometheus scrapes in tests (see the test command: PROMETHEUS_SCRAPE_TARGETS). */
  scrapedAppPort: Number(process.env.TEST_SCRAPED_APP_PORT ?? 3100),
};

/**
 * The API key every test app is configured with. scripts/test.sh sets one for
 * the whole run, so that test/support/scan-secrets.ts can look for it in every
 * server's logs afterwards.
 */
export const TEST_API_KEY = process.env.TEST_API_KEY ?? `test-${randomBytes(12).toString('hex')}`;

/**
 * The warehouse password test apps connect with. The local PostgreSQL trusts
 * 127.0.0.1 and ignores it; it is there so the secrets scan can prove no
 * server ever prints its database URL's password.
 */
export const TEST_DB_PASSWORD =
  process.env.TEST_DB_PASSWORD ?? `dbpw-${randomBytes(12).toString('hex')}`;

/** STACK.warehouseUrl with TEST_DB_PASSWORD in it, unless the URL already has a password. */
function withPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password === '') parsed.password = TEST_DB_PASSWORD;
  return parsed.href;
}

export function testNamespace(overrides: Record<string, string> = {}): TestNamespace {
  const id = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: STACK.kafkaBrokers,
    KAFKA_CLIENT_ID: `test-${id}`,
    KAFKA_CONSUMER_GROUP: `test-${id}`,
    KAFKA_EVENTS_TOPIC: `test-${id}.events`,
    KAFKA_WINDOWS_TOPIC: `test-${id}.windows`,
    KAFKA_TRENDS_TOPIC: `test-${id}.trends`,
    KAFKA_TREND_MINUTES_TOPIC: `test-${id}.trend-minutes`,
    KAFKA_DEAD_LETTER_TOPIC: `test-${id}.dead-letter`,
    KAFKA_LATE_EVENTS_TOPIC: `test-${id}.late-events`,
    KAFKA_TOPIC_PARTITIONS: '3',
    CASSANDRA_CONTACT_POINTS: STACK.cassandra,
    CASSANDRA_KEYSPACE: `test_${id}`,
    WAREHOUSE_URL: withPassword(STACK.warehouseUrl),
    WAREHOUSE_SCHEMA: `test_${id}`,
    DEPENDENCY_CONNECT_TIMEOUT_MS: '30000',
    API_KEY: String(TEST_API_KEY),
    ...overrides,
  };
  return { id, config: AppConfig.fromEnvironment(validateEnvironment(env)), env };
}

/** Polls `probe` until it returns a value that `done` accepts, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 60_000, intervalMs = 500, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}` +
      (lastError instanceof Error ? `; last error: ${lastError.message}` : ''),
  );
}

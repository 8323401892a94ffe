import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

function boot(env: Record<string, string>): { status: number | null; stderr: string } {
  const result = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/main.ts'],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: 'tsconfig.json', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: result.status, stderr: result.stderr };
}

jest.setTimeout(120_000);

/** Valid required variables; nothing is contacted before the failures these tests provoke. */
const REQUIRED = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  CASSANDRA_CONTACT_POINTS: '127.0.0.1:9042',
  WAREHOUSE_URL: 'postgres://postgres@127.0.0.1:5432/reddit_analytics_test',
  API_KEY: `key-${'k'.repeat(20)}`,
};

describe('server boot with bad configuration', () => {
  it('stops with exit code 78 naming every missing variable', () => {
    const { status, stderr } = boot({ CASSANDRA_CONTACT_POINTS: '127.0.0.1:9042' });
    expect(status).toBe(78);
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toContain('KAFKA_BROKERS');
    expect(stderr).toContain('WAREHOUSE_URL');
    expect(stderr).toContain('API_KEY');
    expect(stderr).not.toContain('CASSANDRA_CONTACT_POINTS');
  });

  it('names a malformed variable and hides secret values', () => {
    const hiddenKey = `key-${'k'.repeat(20)}`;
    const { status, stderr } = boot({
      KAFKA_BROKERS: '127.0.0.1:9092',
      CASSANDRA_CONTACT_POINTS: '127.0.0.1:9042',
      WAREHOUSE_URL: 'postgres://app:s3cretpassw0rd@127.0.0.1/reddit',
      PORT: 'not-a-port',
      API_KEY: hiddenKey,
    });
    expect(status).toBe(78);
    expect(stderr).toContain('PORT');
    expect(stderr).not.toContain('s3cretpassw0rd');
    expect(stderr).not.toContain(hiddenKey);
  });

  it('names a bad sentiment model choice and a model file that is not there', () => {
    const { status, stderr } = boot({
      ...REQUIRED,
      NLP_SENTIMENT_MODEL: 'bert',
      NLP_SENTIMENT_MODEL_FILE: '/nonexistent/sentiment.model.gz',
    });
    expect(status).toBe(78);
    expect(stderr).toContain('NLP_SENTIMENT_MODEL must be one of');
    expect(stderr).toContain('NLP_SENTIMENT_MODEL_FILE: no readable file');
  });

  it('stops naming NLP_SENTIMENT_MODEL_FILE when the file is not a model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-'));
    const file = join(dir, 'not-a-model.gz');
    writeFileSync(file, 'plain text');
    try {
      const { status, stderr } = boot({ ...REQUIRED, NLP_SENTIMENT_MODEL_FILE: file });
      expect(status).not.toBe(0);
      expect(stderr).toContain(
        `NLP_SENTIMENT_MODEL_FILE (${file}) cannot be loaded: not a gzip file`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

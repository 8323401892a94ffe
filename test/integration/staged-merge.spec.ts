import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { warehouseText } from '@app/storage/warehouse/dialect';
import { type MergeMethod, stagedMerge } from '@app/storage/warehouse/staged-merge';
import { STACK } from '../support/environment';

/**
 * Both load paths against the real PostgreSQL: the Redshift one (multi-row
 * VALUES, DELETE ... USING + INSERT) is plain SQL that PostgreSQL runs too.
 */
const METHODS: readonly [string, MergeMethod][] = [
  ['PostgreSQL: one JSON upsert statement', 'json-upsert'],
  ['Redshift: VALUES staging, delete and insert', 'staged-delete-insert'],
];

describe('staged merge into the warehouse (real PostgreSQL)', () => {
  const pool = new Pool({ connectionString: STACK.warehouseUrl, max: 2 });
  const schema = `test_merge_${randomBytes(4).toString('hex')}`;
  const columns = ['id', 'day', 'title', 'score', 'flag', 'at'] as const;
  const target = (table: string) => ({ schema, table, columns, keyColumns: ['id', 'day'] });
  const createTable = async (table: string, titleLength: number): Promise<string> => {
    await pool.query(
      `CREATE TABLE ${schema}.${table} (id VARCHAR(20), day VARCHAR(10), title VARCHAR(${titleLength}),
        score BIGINT, flag BOOLEAN, at TIMESTAMP, PRIMARY KEY (id, day))`,
    );
    return table;
  };

  beforeAll(async () => {
    await pool.query(`CREATE SCHEMA ${schema}`);
  });

  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  });

  it.each(METHODS)('%s: replaces rows by key and adds new ones', async (_name, method) => {
    const table = await createTable(`t_${method.replace(/-/g, '_')}`, 200);
    const client = await pool.connect();
    try {
      await stagedMerge(
        client,
        target(table),
        [
          ['a', 'd1', 'first', 1, true, '2025-01-01T00:00:00.000Z'],
          ['b', 'd1', null, -5, false, '2025-01-01T00:00:01.500Z'],
        ],
        method,
      );
      await stagedMerge(
        client,
        target(table),
        [
          ['a', 'd1', 'second "quoted" é😀', 2, false, '2025-01-02T00:00:00.000Z'],
          ['a', 'd2', warehouseText('nul\0 and lone \ud800 surrogate', 200), 3, true, null],
        ],
        method,
      );
    } finally {
      client.release();
    }
    const { rows } = await pool.query<{
      id: string;
      day: string;
      title: string | null;
      score: string;
      flag: boolean;
      at: string | null;
    }>(
      `SELECT id, day, title, score, flag, to_char(at, 'YYYY-MM-DD HH24:MI:SS.MS') AS at
       FROM ${schema}.${table} ORDER BY id, day`,
    );
    expect(rows).toEqual([
      {
        id: 'a',
        day: 'd1',
        title: 'second "quoted" é😀',
        score: '2',
        flag: false,
        at: '2025-01-02 00:00:00.000',
      },
      {
        id: 'a',
        day: 'd2',
        title: 'nul and lone \ufffd surrogate',
        score: '3',
        flag: true,
        at: null,
      },
      { id: 'b', day: 'd1', title: null, score: '-5', flag: false, at: '2025-01-01 00:00:01.500' },
    ]);
  });

  it.each(METHODS)(
    '%s: with a version column, an older staged row leaves a newer stored one alone',
    async (_name, method) => {
      const table = await createTable(`t_version_${method.replace(/-/g, '_')}`, 200);
      const versioned = { ...target(table), versionColumn: 'at' };
      const client = await pool.connect();
      try {
        await stagedMerge(
          client,
          versioned,
          [
            ['a', 'd1', 'a at 10s', 1, true, '2025-01-01T00:00:10.000Z'],
            ['b', 'd1', 'b at 10s', 1, true, '2025-01-01T00:00:10.000Z'],
          ],
          method,
        );
        // A late load from a server that lost the partition: a is older than stored, b is newer, c is new.
        await stagedMerge(
          client,
          versioned,
          [
            ['a', 'd1', 'a at 5s', 2, false, '2025-01-01T00:00:05.000Z'],
            ['b', 'd1', 'b at 20s', 2, false, '2025-01-01T00:00:20.000Z'],
            ['c', 'd1', 'c at 1s', 2, false, '2025-01-01T00:00:01.000Z'],
          ],
          method,
        );
      } finally {
        client.release();
      }
      const { rows } = await pool.query<{ id: string; title: string }>(
        `SELECT id, title FROM ${schema}.${table} ORDER BY id`,
      );
      expect(rows).toEqual([
        { id: 'a', title: 'a at 10s' },
        { id: 'b', title: 'b at 20s' },
        { id: 'c', title: 'c at 1s' },
      ]);
    },
  );

  it.each(METHODS)(
    '%s: rolls back the whole batch when a row does not fit',
    async (_name, method) => {
      const table = await createTable(`t_rollback_${method.replace(/-/g, '_')}`, 5);
      const client = await pool.connect();
      try {
        await expect(
          stagedMerge(
            client,
            target(table),
            [
              ['a', 'd1', 'ok', 1, true, null],
              ['b', 'd1', 'far too long', 1, true, null],
            ],
            method,
          ),
        ).rejects.toThrow(/too long/);
      } finally {
        client.release();
      }
      const { rows } = await pool.query(`SELECT id FROM ${schema}.${table}`);
      expect(rows).toEqual([]);
    },
  );
});

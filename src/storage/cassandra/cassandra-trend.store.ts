import { Injectable } from '@nestjs/common';
import { types } from 'cassandra-driver';
import { AppConfig } from '@app/config';
import { TrendStore } from '../ports';
import { type TrendQuery, type TrendRecord } from '../records';
import { CassandraSession } from './cassandra-session';
import { forEachRow } from './paged-rows';
import { forEachConcurrently, type PartitionRow, partitionBatches } from './partition-batches';

const HOUR_MS = 3_600_000;
const PAGE_SIZE = 5000;
const CONCURRENCY = 16;
const ROW_BYTES = 200;

const floorHour = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
const toMs = (value: unknown): number => (value instanceof Date ? value.getTime() : Number.NaN);

/** Trend findings in Cassandra, one partition per hour of minutes judged. */
@Injectable()
export class CassandraTrendStore extends TrendStore {
  private readonly table: string;
  private readonly upsert: string;

  constructor(
    private readonly session: CassandraSession,
    config: AppConfig,
  ) {
    super();
    this.table = `${config.cassandra.keyspace}.trends_by_hour`;
    this.upsert = `INSERT INTO ${this.table} (
      hour, minute, scope, kind, term, lane, value, expected, score, confidence,
      rising_since, is_new, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  }

  async upsertTrends(trends: readonly TrendRecord[]): Promise<void> {
    if (trends.length === 0) return;
    const rows = trends.map((t): PartitionRow => {
      const hour = floorHour(t.minuteMs);
      return {
        partitionKey: String(hour),
        rowKey: `${t.minuteMs}|${t.scope}|${t.kind}|${t.term}|${t.lane}`,
        bytes: ROW_BYTES + t.term.length + t.lane.length,
        params: [
          new Date(hour),
          new Date(t.minuteMs),
          t.scope,
          t.kind,
          t.term,
          t.lane,
          t.value,
          t.expected,
          t.score,
          t.confidence,
          new Date(t.sinceMs),
          t.isNew,
          new Date(t.detectedAtMs),
        ],
      };
    });
    await forEachConcurrently(partitionBatches(rows), CONCURRENCY, (batch) =>
      this.session.client.batch(
        batch.map((row) => ({ query: this.upsert, params: row.params })),
        { prepare: true, logged: false },
      ),
    );
  }

  async findTrends(query: TrendQuery): Promise<TrendRecord[]> {
    const hours: number[] = [];
    for (let hour = floorHour(query.fromMs); hour < query.toMs; hour += HOUR_MS) hours.push(hour);
    const cql = `SELECT * FROM ${this.table} WHERE hour = ? AND minute >= ? AND minute < ?`;
    const results = await Promise.all(
      hours.map(async (hour) => {
        const rows: TrendRecord[] = [];
        await forEachRow(
          this.session.client,
          cql,
          [new Date(hour), new Date(query.fromMs), new Date(query.toMs)],
          { prepare: true, fetchSize: PAGE_SIZE },
          (row) => rows.push(toRecord(row)),
        );
        return rows;
      }),
    );
    return results.flat();
  }
}

function toRecord(row: types.Row): TrendRecord {
  return {
    scope: row.get('scope') as string,
    kind: row.get('kind') as string,
    term: row.get('term') as string,
    lane: row.get('lane') as string,
    minuteMs: toMs(row.get('minute')),
    value: row.get('value') as number,
    expected: row.get('expected') as number,
    score: row.get('score') as number,
    confidence: row.get('confidence') as number,
    sinceMs: toMs(row.get('rising_since')),
    isNew: (row.get('is_new') as boolean | null) ?? false,
    detectedAtMs: toMs(row.get('detected_at')),
  };
}

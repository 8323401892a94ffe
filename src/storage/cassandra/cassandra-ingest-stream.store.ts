import { Injectable } from '@nestjs/common';
import { type types } from 'cassandra-driver';
import { AppConfig } from '@app/config';
import { IngestStreamStore } from '../ports';
import { type StreamRecord } from '../records';
import { CassandraSession } from './cassandra-session';

const ms = (value: unknown): number | null => (value instanceof Date ? value.getTime() : null);
const date = (value: number | null): Date | null => (value === null ? null : new Date(value));

@Injectable()
export class CassandraIngestStreamStore extends IngestStreamStore {
  private readonly table: string;

  constructor(
    private readonly session: CassandraSession,
    config: AppConfig,
  ) {
    super();
    this.table = `${config.cassandra.keyspace}.ingest_streams`;
  }

  async save(record: StreamRecord): Promise<void> {
    await this.session.client.execute(
      `INSERT INTO ${this.table} (id, definition, state, checkpoint, counters, started_at,
        stopped_at, last_batch_at, last_error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        record.id,
        record.definition,
        record.state,
        record.checkpoint,
        record.counters,
        new Date(record.startedAtMs),
        date(record.stoppedAtMs),
        date(record.lastBatchAtMs),
        record.lastError,
        new Date(record.updatedAtMs),
      ],
      { prepare: true },
    );
  }

  async loadAll(): Promise<StreamRecord[]> {
    const result = await this.session.client.execute(`SELECT * FROM ${this.table}`);
    return result.rows.map((row: types.Row) => ({
      id: row.get('id') as string,
      definition: row.get('definition') as string,
      state: row.get('state') as string,
      checkpoint: row.get('checkpoint') as string,
      counters: row.get('counters') as string,
      startedAtMs: ms(row.get('started_at')) ?? 0,
      stoppedAtMs: ms(row.get('stopped_at')),
      lastBatchAtMs: ms(row.get('last_batch_at')),
      lastError: (row.get('last_error') as string | null) ?? null,
      updatedAtMs: ms(row.get('updated_at')) ?? 0,
    }));
  }
}

import { Module } from '@nestjs/common';
import { CassandraPostStore } from './cassandra/cassandra-post.store';
import { CassandraSession } from './cassandra/cassandra-session';
import { CassandraTrendStore } from './cassandra/cassandra-trend.store';
import { CassandraWindowStore } from './cassandra/cassandra-window.store';
import { CassandraIngestStreamStore } from './cassandra/cassandra-ingest-stream.store';
import { CassandraWindowCheckpointStore } from './cassandra/cassandra-window-checkpoint.store';
import {
  PostStore,
  WindowCheckpointStore,
  IngestStreamStore,
  TrendStore,
  Warehouse,
  WindowStore,
} from './ports';
import { PgWarehouse } from './warehouse/pg-warehouse';

/**
 * Cassandra (operational reads, ingest stream state) and the warehouse
 * (analytics), each behind its port.
 */
@Module({
  providers: [
    CassandraSession,
    { provide: PostStore, useClass: CassandraPostStore },
    { provide: WindowStore, useClass: CassandraWindowStore },
    { provide: TrendStore, useClass: CassandraTrendStore },
    { provide: Warehouse, useClass: PgWarehouse },
    { provide: IngestStreamStore, useClass: CassandraIngestStreamStore },
    { provide: WindowCheckpointStore, useClass: CassandraWindowCheckpointStore },
  ],
  exports: [
    PostStore,
    WindowStore,
    TrendStore,
    Warehouse,
    IngestStreamStore,
    WindowCheckpointStore,
  ],
})
export class StorageModule {}

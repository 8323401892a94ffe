import { Module } from '@nestjs/common';
import { CassandraPostStore } from './cassandra/cassandra-post.store';
import { CassandraSession } from './cassandra/cassandra-session';
import { CassandraWindowStore } from './cassandra/cassandra-window.store';
import { CassandraStreamStateStore } from './cassandra/cassandra-stream-state.store';
import { CassandraStreamingStateStore } from './cassandra/cassandra-streaming-state.store';
import { PostStore, StreamingStateStore, StreamStateStore, Warehouse, WindowStore } from './ports';
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
    { provide: Warehouse, useClass: PgWarehouse },
    { provide: StreamStateStore, useClass: CassandraStreamStateStore },
    { provide: StreamingStateStore, useClass: CassandraStreamingStateStore },
  ],
  exports: [PostStore, WindowStore, Warehouse, StreamStateStore, StreamingStateStore],
})
export class StorageModule {}

import { Module } from '@nestjs/common';
import { CassandraPostStore } from './cassandra/cassandra-post.store';
import { CassandraSession } from './cassandra/cassandra-session';
import { CassandraWindowStore } from './cassandra/cassandra-window.store';
import { PostStore, Warehouse, WindowStore } from './ports';
import { PgWarehouse } from './warehouse/pg-warehouse';

/** Cassandra (operational reads) and the warehouse (analytics), each behind its port. */
@Module({
  providers: [
    CassandraSession,
    { provide: PostStore, useClass: CassandraPostStore },
    { provide: WindowStore, useClass: CassandraWindowStore },
    { provide: Warehouse, useClass: PgWarehouse },
  ],
  exports: [PostStore, WindowStore, Warehouse],
})
export class StorageModule {}

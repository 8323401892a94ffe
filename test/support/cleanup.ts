import { Client } from 'cassandra-driver';
import { Kafka, logLevel } from 'kafkajs';
import { Client as PgClient } from 'pg';
import { type AppConfig } from '@app/config';

/** Removes everything a test namespace created: topics, keyspace, warehouse schema. */
export async function dropNamespace(config: AppConfig): Promise<void> {
  const kafka = new Kafka({ brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const cassandra = new Client({
    contactPoints: [...config.cassandra.contactPoints],
    localDataCenter: config.cassandra.localDataCenter,
  });
  const pg = new PgClient({ connectionString: config.warehouse.url });
  await Promise.allSettled([
    (async () => {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const topics = Object.values(config.kafka.topics).filter((t) => existing.has(t));
      if (topics.length > 0) await admin.deleteTopics({ topics });
      await admin.deleteGroups([config.kafka.consumerGroup]).catch(() => undefined);
    })().finally(() => admin.disconnect()),
    (async () => {
      await cassandra.connect();
      await cassandra.execute(`DROP KEYSPACE IF EXISTS ${config.cassandra.keyspace}`);
    })().finally(() => cassandra.shutdown()),
    (async () => {
      await pg.connect();
      await pg.query(`DROP SCHEMA IF EXISTS ${config.warehouse.schema} CASCADE`);
    })().finally(() => pg.end()),
  ]);
}

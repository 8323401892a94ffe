import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { auth, Client, types } from 'cassandra-driver';
import { AppConfig } from '@app/config';
import { retryUntil } from '@app/common/retry';
import { type DependencyHealth } from '@app/common/health';
import { runCassandraMigrations } from './cassandra-migrations';

/**
 * Owns the cassandra-driver client: connects at boot (waiting for the node),
 * runs migrations, and answers health checks. Repositories use `client`.
 */
@Injectable()
export class CassandraSession implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CassandraSession.name);
  readonly client: Client;

  constructor(private readonly config: AppConfig) {
    const { contactPoints, localDataCenter, credentials } = config.cassandra;
    this.client = new Client({
      contactPoints: [...contactPoints],
      localDataCenter,
      ...(credentials
        ? {
            authProvider: new auth.PlainTextAuthProvider(
              credentials.username,
              credentials.password,
            ),
          }
        : {}),
      socketOptions: { connectTimeout: 5000, readTimeout: 12000 },
      queryOptions: { prepare: true },
      // The driver sends each request on the connection with the fewest in
      // flight: with several, a flush's small window rows and checkpoint do
      // not queue behind another partition's post batches (hundreds of KB)
      // on one socket.
      pooling: { coreConnectionsPerHost: { [types.distance.local]: 3 } },
    });
  }

  async onModuleInit(): Promise<void> {
    const { contactPoints, keyspace, replicationFactor } = this.config.cassandra;
    await retryUntil(() => this.client.connect(), {
      deadlineMs: this.config.dependencyConnectTimeoutMs,
      what: `Cassandra at ${contactPoints.join(',')}`,
      onRetry: (error) => this.logger.warn(`Cassandra not ready yet: ${String(error)}`),
    });
    const applied = await runCassandraMigrations(this.client, keyspace, replicationFactor);
    this.logger.log(
      `Connected to Cassandra at ${contactPoints.join(',')}, keyspace ${keyspace}` +
        (applied.length > 0 ? `, applied migrations ${applied.join(', ')}` : ''),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.shutdown();
  }

  async health(): Promise<DependencyHealth> {
    const started = Date.now();
    try {
      await this.client.execute('SELECT release_version FROM system.local');
      const hosts = this.client.getState().getConnectedHosts();
      return {
        status: 'up',
        detail: `${hosts.length} connected host(s)`,
        latencyMs: Date.now() - started,
      };
    } catch (error) {
      return { status: 'down', detail: error instanceof Error ? error.message : String(error) };
    }
  }
}

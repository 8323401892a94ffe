import { resolve } from 'node:path';
import { type EnvironmentVariables } from './env.schema';
import { parsePostsPolicy, type PostsPolicy } from '@app/common/posts-policy';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

function parseHostPorts(list: string): HostPort[] {
  return list.split(',').map((entry) => {
    const at = entry.lastIndexOf(':');
    return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
  });
}

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly consumerGroup: string;
  readonly topics: {
    readonly events: string;
    readonly windows: string;
    readonly trends: string;
    /** Internal, one partition: subreddit-minutes for the all-subreddits scope. */
    readonly trendMinutes: string;
    readonly deadLetter: string;
    readonly lateEvents: string;
  };
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly producerBatchSize: number;
  readonly partitionsConsumedConcurrently: number;
}

export interface CassandraConfig {
  readonly contactPoints: readonly string[];
  readonly localDataCenter: string;
  readonly keyspace: string;
  readonly replicationFactor: number;
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Which posts the posts table keeps. */
  readonly posts: PostsPolicy;
}

export interface WarehouseConfig {
  readonly url: string;
  readonly dialect: 'postgres' | 'redshift';
  readonly schema: string;
  /** Which posts fact_posts keeps. */
  readonly posts: PostsPolicy;
}

export interface HttpConfig {
  readonly host: string;
  readonly port: number;
  readonly bodyLimitBytes: number;
}

export interface ApiConfig {
  readonly apiKey: string;
  readonly readsRequireApiKey: boolean;
}

export interface RedditConfig {
  readonly clientId: string | null;
  readonly clientSecret: string | null;
  readonly username: string | null;
  readonly password: string | null;
  readonly userAgent: string | null;
  readonly authBaseUrl: string;
  readonly apiBaseUrl: string;
  readonly requestTimeoutMs: number;
}

export interface IngestConfig {
  /** Replay streams may only read files inside this directory. */
  readonly replayDir: string;
}

export interface NlpConfig {
  /** Character budget per text for sentiment scoring. */
  readonly maxChars: number;
  /** The sentiment model: trained on Reddit comments, or VADER alone. */
  readonly sentimentModel: 'reddit' | 'vader';
  /** The reddit model's file; null for the one shipped with the server. */
  readonly sentimentModelFile: string | null;
  /** Worker threads for the streaming NLP; 0 runs it on the event loop. */
  readonly workers: number;
}

export interface StreamingConfig {
  /** Whether this instance runs the Kafka consumer (windows, storage). */
  readonly enabled: boolean;
  /** How often each partition's open windows are upserted and its state checkpointed. */
  readonly windowFlushIntervalMs: number;
  readonly checkpointIntervalMs: number;
  /** As configured, e.g. ["1m", "5m/1m"]; parsed by the streaming module. */
  readonly windowSpecs: readonly string[];
  readonly outOfOrdernessMs: number;
  readonly idleTimeoutMs: number;
  readonly allowedLatenessMs: number;
  /** See WINDOW_MERGE_HORIZON_HOURS. */
  readonly mergeHorizonMs: number;
  readonly maxBufferedEvents: number;
  readonly retryMaxBackoffMs: number;
}

export interface TrendsConfig {
  /** Whether the consumer detects trends (it judges the 1m windows' minutes). */
  readonly enabled: boolean;
  /** Terms remembered per subreddit and kind. */
  readonly termCapacity: number;
  /** Distinct keywords (and mentions) counted exactly per subreddit-minute. */
  readonly minuteTerms: number;
  readonly minSupport: number;
}

export interface LiveConfig {
  /** Updates kept per topic for clients that reconnect. */
  readonly replayBuffer: number;
}

export interface LoggingConfig {
  readonly format: 'json' | 'pretty';
  readonly level: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
}

/**
 * The typed, validated configuration, injected wherever settings are needed.
 * Built once from the environment; nothing else reads process.env.
 */
export class AppConfig {
  constructor(
    readonly http: HttpConfig,
    readonly logging: LoggingConfig,
    readonly kafka: KafkaConfig,
    readonly cassandra: CassandraConfig,
    readonly warehouse: WarehouseConfig,
    readonly streaming: StreamingConfig,
    readonly dependencyConnectTimeoutMs: number,
    readonly api: ApiConfig,
    readonly reddit: RedditConfig,
    readonly ingest: IngestConfig,
    readonly nlp: NlpConfig,
    readonly trends: TrendsConfig,
    readonly live: LiveConfig,
  ) {}

  static fromEnvironment(env: EnvironmentVariables): AppConfig {
    const credentials =
      env.CASSANDRA_USERNAME !== undefined
        ? { username: env.CASSANDRA_USERNAME, password: env.CASSANDRA_PASSWORD ?? '' }
        : undefined;
    return new AppConfig(
      { host: env.HOST, port: env.PORT, bodyLimitBytes: env.HTTP_BODY_LIMIT_KB * 1024 },
      {
        format: env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty'),
        level: env.LOG_LEVEL,
      },
      {
        brokers: env.KAFKA_BROKERS.split(','),
        clientId: env.KAFKA_CLIENT_ID,
        consumerGroup: env.KAFKA_CONSUMER_GROUP,
        topics: {
          events: env.KAFKA_EVENTS_TOPIC,
          windows: env.KAFKA_WINDOWS_TOPIC,
          trends: env.KAFKA_TRENDS_TOPIC,
          trendMinutes: env.KAFKA_TREND_MINUTES_TOPIC,
          deadLetter: env.KAFKA_DEAD_LETTER_TOPIC,
          lateEvents: env.KAFKA_LATE_EVENTS_TOPIC,
        },
        partitions: env.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: env.KAFKA_REPLICATION_FACTOR,
        producerBatchSize: env.KAFKA_PRODUCER_BATCH_SIZE,
        partitionsConsumedConcurrently: env.KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY,
      },
      {
        contactPoints: parseHostPorts(env.CASSANDRA_CONTACT_POINTS).map(
          ({ host, port }) => `${host}:${port}`,
        ),
        localDataCenter: env.CASSANDRA_LOCAL_DATACENTER,
        keyspace: env.CASSANDRA_KEYSPACE,
        replicationFactor: env.CASSANDRA_REPLICATION_FACTOR,
        credentials,
        posts: parsePostsPolicy(env.CASSANDRA_POSTS),
      },
      {
        url: env.WAREHOUSE_URL,
        dialect: env.WAREHOUSE_DIALECT,
        schema: env.WAREHOUSE_SCHEMA,
        posts: parsePostsPolicy(env.WAREHOUSE_POSTS),
      },
      {
        enabled: env.STREAMING_ENABLED,
        windowFlushIntervalMs: env.WINDOW_FLUSH_INTERVAL_MS,
        checkpointIntervalMs: env.STREAMING_CHECKPOINT_INTERVAL_MS,
        windowSpecs: env.WINDOW_SPECS.split(','),
        outOfOrdernessMs: env.WATERMARK_OUT_OF_ORDERNESS_MS,
        idleTimeoutMs: env.WATERMARK_IDLE_TIMEOUT_MS,
        allowedLatenessMs: env.WINDOW_ALLOWED_LATENESS_MS,
        mergeHorizonMs: env.WINDOW_MERGE_HORIZON_HOURS * 3_600_000,
        maxBufferedEvents: env.STREAMING_MAX_BUFFERED_EVENTS,
        retryMaxBackoffMs: env.STREAMING_RETRY_MAX_BACKOFF_MS,
      },
      env.DEPENDENCY_CONNECT_TIMEOUT_MS,
      { apiKey: env.API_KEY, readsRequireApiKey: env.READS_REQUIRE_API_KEY },
      {
        clientId: env.REDDIT_CLIENT_ID ?? null,
        clientSecret: env.REDDIT_CLIENT_SECRET ?? null,
        username: env.REDDIT_USERNAME ?? null,
        password: env.REDDIT_PASSWORD ?? null,
        userAgent: env.REDDIT_USER_AGENT ?? null,
        authBaseUrl: env.REDDIT_AUTH_BASE_URL.replace(/\/+$/, ''),
        apiBaseUrl: env.REDDIT_API_BASE_URL.replace(/\/+$/, ''),
        requestTimeoutMs: env.REDDIT_REQUEST_TIMEOUT_MS,
      },
      { replayDir: resolve(env.REPLAY_DIR) },
      {
        maxChars: env.NLP_MAX_CHARS,
        sentimentModel: env.NLP_SENTIMENT_MODEL,
        sentimentModelFile:
          env.NLP_SENTIMENT_MODEL_FILE === undefined ? null : resolve(env.NLP_SENTIMENT_MODEL_FILE),
        workers: env.NLP_WORKERS,
      },
      {
        enabled: env.TRENDS_ENABLED,
        termCapacity: env.TRENDS_TERM_CAPACITY,
        minuteTerms: env.TRENDS_MINUTE_TERMS,
        minSupport: env.TRENDS_MIN_SUPPORT,
      },
      { replayBuffer: env.LIVE_REPLAY_BUFFER },
    );
  }
}

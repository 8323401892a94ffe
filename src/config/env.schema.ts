import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { POSTS_POLICY } from '@app/common/posts-policy';

const HOST_PORT_LIST = /^[A-Za-z0-9.\-_[\]:]+:\d{1,5}(,[A-Za-z0-9.\-_[\]:]+:\d{1,5})*$/;
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const CQL_IDENTIFIER = /^[a-z][a-z0-9_]{0,47}$/;
const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const WINDOW_SPEC = String.raw`\d+(ms|s|m|h|d)(/\d+(ms|s|m|h|d))?`;
const WINDOW_SPEC_LIST = new RegExp(`^${WINDOW_SPEC}(,${WINDOW_SPEC})*$`);

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const normalised = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(normalised)) return true;
  if (['false', '0', 'no'].includes(normalised)) return false;
  return value;
};

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() !== '' && /^-?\d+$/.test(value.trim())
    ? Number(value.trim())
    : value;

/**
 * Every environment variable the server reads. Validated once at boot; a missing
 * or malformed variable stops the process with a message naming it.
 */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  readonly NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  readonly PORT: number = 3000;

  @IsString()
  @MinLength(1)
  readonly HOST: string = '0.0.0.0';

  /** Largest accepted JSON request body; larger ones get 413 naming the limit. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65536)
  readonly HTTP_BODY_LIMIT_KB: number = 256;

  @IsOptional()
  @IsIn(['json', 'pretty'])
  readonly LOG_FORMAT?: 'json' | 'pretty';

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  readonly LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  @IsString()
  @MinLength(16, { message: 'API_KEY must be at least 16 characters' })
  readonly API_KEY!: string;

  @Transform(toBool)
  @IsBoolean()
  readonly READS_REQUIRE_API_KEY: boolean = false;

  @Matches(HOST_PORT_LIST, { message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  readonly KAFKA_BROKERS!: string;

  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/)
  readonly KAFKA_CLIENT_ID: string = 'reddit-analytics';

  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,128}$/)
  readonly KAFKA_CONSUMER_GROUP: string = 'reddit-analytics-streaming';

  @Matches(TOPIC_NAME)
  readonly KAFKA_EVENTS_TOPIC: string = 'reddit.events';

  @Matches(TOPIC_NAME)
  readonly KAFKA_WINDOWS_TOPIC: string = 'reddit.windows';

  /** Rising terms, mood shifts and activity bursts, one record per finding. */
  @Matches(TOPIC_NAME)
  readonly KAFKA_TRENDS_TOPIC: string = 'reddit.trends';

  /**
   * Internal: each subreddit-minute the consumers judge, handed to whichever
   * server judges the all-subreddits scope (one partition).
   */
  @Matches(TOPIC_NAME)
  readonly KAFKA_TREND_MINUTES_TOPIC: string = 'reddit.trend-minutes';

  @Matches(TOPIC_NAME)
  readonly KAFKA_DEAD_LETTER_TOPIC: string = 'reddit.dead-letter';

  /** Events too late for any window (beyond the allowed lateness) go here instead of being counted. */
  @Matches(TOPIC_NAME)
  readonly KAFKA_LATE_EVENTS_TOPIC: string = 'reddit.late-events';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  readonly KAFKA_TOPIC_PARTITIONS: number = 6;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(7)
  readonly KAFKA_REPLICATION_FACTOR: number = 1;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  readonly KAFKA_PRODUCER_BATCH_SIZE: number = 500;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  readonly KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: number = 3;

  @Matches(HOST_PORT_LIST, {
    message: 'CASSANDRA_CONTACT_POINTS must be a comma-separated list of host:port',
  })
  readonly CASSANDRA_CONTACT_POINTS!: string;

  @IsString()
  @MinLength(1)
  readonly CASSANDRA_LOCAL_DATACENTER: string = 'datacenter1';

  @Matches(CQL_IDENTIFIER, {
    message: 'CASSANDRA_KEYSPACE must be a lower-case CQL identifier (letters, digits, _)',
  })
  readonly CASSANDRA_KEYSPACE: string = 'reddit_analytics';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(7)
  readonly CASSANDRA_REPLICATION_FACTOR: number = 1;

  @IsOptional()
  @IsString()
  readonly CASSANDRA_USERNAME?: string;

  @IsOptional()
  @IsString()
  readonly CASSANDRA_PASSWORD?: string;

  @Matches(/^postgres(ql)?:\/\/.+/, {
    message: 'WAREHOUSE_URL must be a postgres:// connection URL',
  })
  readonly WAREHOUSE_URL!: string;

  @IsIn(['postgres', 'redshift'])
  readonly WAREHOUSE_DIALECT: 'postgres' | 'redshift' = 'postgres';

  /** Which posts Cassandra keeps (the posts API reads them there): all, none or sample:<fraction>. */
  @Matches(POSTS_POLICY, {
    message:
      'CASSANDRA_POSTS must be all, none or sample:<fraction between 0 and 1>, e.g. sample:0.1',
  })
  readonly CASSANDRA_POSTS: string = 'all';

  /** Which posts the warehouse keeps: all, none or sample:<fraction>. */
  @Matches(POSTS_POLICY, {
    message:
      'WAREHOUSE_POSTS must be all, none or sample:<fraction between 0 and 1>, e.g. sample:0.1',
  })
  readonly WAREHOUSE_POSTS: string = 'all';

  @Matches(SQL_IDENTIFIER, {
    message: 'WAREHOUSE_SCHEMA must be a lower-case SQL identifier',
  })
  readonly WAREHOUSE_SCHEMA: string = 'reddit_analytics';

  @IsOptional()
  @IsString()
  @MinLength(1)
  readonly REDDIT_CLIENT_ID?: string;

  @IsOptional()
  @IsString()
  readonly REDDIT_CLIENT_SECRET?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  readonly REDDIT_USERNAME?: string;

  @IsOptional()
  @IsString()
  readonly REDDIT_PASSWORD?: string;

  @IsOptional()
  @IsString()
  readonly REDDIT_USER_AGENT?: string;

  @Matches(/^https?:\/\/[^\s]+$/, { message: 'REDDIT_AUTH_BASE_URL must be an http(s) URL' })
  readonly REDDIT_AUTH_BASE_URL: string = 'https://www.reddit.com';

  @Matches(/^https?:\/\/[^\s]+$/, { message: 'REDDIT_API_BASE_URL must be an http(s) URL' })
  readonly REDDIT_API_BASE_URL: string = 'https://oauth.reddit.com';

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(120000)
  readonly REDDIT_REQUEST_TIMEOUT_MS: number = 15000;

  @IsString()
  @MinLength(1)
  readonly REPLAY_DIR: string = 'data/replay';

  /** Character budget per text for sentiment: longer texts are scored on their start. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(1_000_000)
  readonly NLP_MAX_CHARS: number = 10000;

  /**
   * Which sentiment model scores events: "reddit", the model trained on
   * human-labelled Reddit comments (the default), or "vader", the lexicon
   * method alone.
   */
  @IsIn(['reddit', 'vader'])
  readonly NLP_SENTIMENT_MODEL: 'reddit' | 'vader' = 'reddit';

  /** A model file written by `npm run train:sentiment`; defaults to the one shipped with the server. */
  @IsOptional()
  @IsString()
  readonly NLP_SENTIMENT_MODEL_FILE?: string;

  /**
   * Worker threads for the streaming NLP (0: on the event loop). Each batch
   * is split across them, so one server uses more than one core.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(32)
  readonly NLP_WORKERS: number = 0;

  /** false: this instance only ingests (no consumer), for scaling ingest apart from streaming. */
  @Transform(toBool)
  @IsBoolean()
  readonly STREAMING_ENABLED: boolean = true;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60000)
  readonly WINDOW_FLUSH_INTERVAL_MS: number = 1000;

  /**
   * How often each partition's state is checkpointed (and its offsets
   * committed); at least WINDOW_FLUSH_INTERVAL_MS. Window rows are written
   * every flush; after a crash, a partition re-reads at most this much.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  readonly STREAMING_CHECKPOINT_INTERVAL_MS: number = 5000;

  /** Window specs, comma-separated: "1m" is tumbling, "5m/1m" is 5-minute windows sliding by 1 minute. */
  @Matches(WINDOW_SPEC_LIST, {
    message: 'WINDOW_SPECS must be a comma-separated list like "1m,5m/1m" (units ms, s, m, h, d)',
  })
  readonly WINDOW_SPECS: string = '1m,5m/1m';

  /** Bounded out-of-orderness: a partition's watermark is its highest event time minus this. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  readonly WATERMARK_OUT_OF_ORDERNESS_MS: number = 10000;

  /** A partition without data for this long stops holding the watermark back. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  readonly WATERMARK_IDLE_TIMEOUT_MS: number = 30000;

  /** Events this late after a window's end still update it (re-emitted); later ones are too late. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  readonly WINDOW_ALLOWED_LATENESS_MS: number = 60000;

  /**
   * How far back (in event time, behind a partition's newest event) a
   * backfill can still merge into windows another stream already closed:
   * closed windows are archived that long. 0 turns the archive off (such
   * events are then too late).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(8760)
  readonly WINDOW_MERGE_HORIZON_HOURS: number = 168;

  /**
   * Consumed events held in memory, over all partitions, before the partition
   * taking a batch is flushed, even inside the flush interval.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(1_000_000)
  readonly STREAMING_MAX_BUFFERED_EVENTS: number = 5000;

  /** Whether the consumer detects rising terms, mood shifts and bursts (needs the 1m window spec). */
  @Transform(toBool)
  @IsBoolean()
  readonly TRENDS_ENABLED: boolean = true;

  /**
   * Terms remembered per subreddit and kind (keywords, r/, u/, domains,
   * $tickers, #hashtags); beyond it the least frequent are forgotten. Bounds
   * trend memory however many distinct terms arrive.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(1_000_000)
  readonly TRENDS_TERM_CAPACITY: number = 5000;

  /** Distinct keywords (and, apart, mentions) counted exactly per subreddit-minute. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(100_000)
  readonly TRENDS_MINUTE_TERMS: number = 1000;

  /** A known term is reported rising only with at least this many mentions in a minute. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(10_000)
  readonly TRENDS_MIN_SUPPORT: number = 5;

  /**
   * Window and trend updates each server keeps (per topic) for live clients
   * that reconnect with Last-Event-ID; older gaps are reported, not replayed.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(1_000_000)
  readonly LIVE_REPLAY_BUFFER: number = 10000;

  /** Longest pause between retries of a failed flush while a store is down. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(300_000)
  readonly STREAMING_RETRY_MAX_BACKOFF_MS: number = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600000)
  readonly DEPENDENCY_CONNECT_TIMEOUT_MS: number = 60000;
}

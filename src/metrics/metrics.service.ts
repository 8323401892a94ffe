import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

type Kind = 'submission' | 'comment';

/**
 * Every metric the application records, as typed members. Application services
 * call these; nothing else touches prom-client. Each app instance has its own
 * registry so several instances (tests) never share counters.
 */
/** The reason classes of reddit_events_dead_lettered_total. */
export const DEAD_LETTER_REASONS = ['invalid_json', 'invalid_event'] as const;

@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly eventsProduced = new Counter<'source' | 'kind'>({
    name: 'reddit_events_produced_total',
    help: 'Events produced to Kafka by ingest, by source and kind.',
    labelNames: ['source', 'kind'],
    registers: [this.registry],
  });

  readonly eventsConsumed = new Counter<'kind'>({
    name: 'reddit_events_consumed_total',
    help: 'Events consumed from Kafka and processed by streaming, by kind.',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  readonly eventsDeadLettered = new Counter<'reason'>({
    name: 'reddit_events_dead_lettered_total',
    help: 'Messages sent to the dead-letter topic, by reason class.',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  readonly ingestRejected = new Counter<'source'>({
    name: 'reddit_ingest_rejected_total',
    help: 'Source items ingest could not normalise (sent to the dead-letter topic), by source.',
    labelNames: ['source'],
    registers: [this.registry],
  });

  readonly windowsWritten = new Counter<'store'>({
    name: 'reddit_windows_written_total',
    help: 'Window rows upserted, by store (cassandra, warehouse, kafka).',
    labelNames: ['store'],
    registers: [this.registry],
  });

  readonly trendsWritten = new Counter<'store'>({
    name: 'reddit_trends_written_total',
    help: 'Trend rows upserted, by store (cassandra, warehouse, kafka).',
    labelNames: ['store'],
    registers: [this.registry],
  });

  readonly postsWritten = new Counter<'store'>({
    name: 'reddit_posts_written_total',
    help: 'Enriched events written, by store (cassandra, warehouse).',
    labelNames: ['store'],
    registers: [this.registry],
  });

  readonly consumerBatchSize = new Histogram({
    name: 'reddit_consumer_batch_size',
    help: 'Messages per consumed Kafka batch.',
    buckets: [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 2500, 5000],
    registers: [this.registry],
  });

  readonly batchDuration = new Histogram<'stage'>({
    name: 'reddit_batch_stage_seconds',
    help: 'Time spent by stage: per batch decode, nlp, windows; per flush outputs (stores and topics) and checkpoint.',
    labelNames: ['stage'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly outputDuration = new Histogram<'output'>({
    name: 'reddit_flush_output_seconds',
    help: 'Time each output of a flush took (they run concurrently): cassandra_posts, cassandra_windows, warehouse_posts, warehouse_windows, kafka_windows, cassandra_trends, warehouse_trends, kafka_trends, kafka_trend_minutes, kafka_late, kafka_dead_letter.',
    labelNames: ['output'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly eventsLate = new Counter({
    name: 'reddit_events_late_total',
    help: 'Events too late for every window (beyond the allowed lateness): sent to the late-events topic, not counted.',
    registers: [this.registry],
  });

  readonly trendsFound = new Counter<'kind'>({
    name: 'reddit_trends_found_total',
    help: 'Rising terms (keyword, subreddit, user, domain, ticker, hashtag), mood shifts and activity bursts found, one per subreddit-minute and term. Counts again what a partition re-judges after a restart.',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  readonly trendMinutesJudged = new Counter({
    name: 'reddit_trend_minutes_judged_total',
    help: 'Subreddit-minutes judged by trend detection (once the watermark passed them).',
    registers: [this.registry],
  });

  readonly trendMinutesDropped = new Counter({
    name: 'reddit_trend_minutes_dropped_total',
    help: 'Subreddit-minutes the all-subreddits scope did not count: already counted (handed again after a restart) or later than its minute was judged.',
    registers: [this.registry],
  });

  readonly trendTermsTracked = new Gauge({
    name: 'reddit_trend_terms_tracked',
    help: 'Terms with a rate baseline, over the subreddits of the partitions held here (bounded by TRENDS_TERM_CAPACITY per subreddit and kind).',
    registers: [this.registry],
  });

  readonly trendScopes = new Gauge<'state'>({
    name: 'reddit_trend_scopes',
    help: 'Subreddits (per event-time lane) with trend history on the partitions held here: active, or dormant (silent for a day, kept as their first and last minute for 30 days).',
    labelNames: ['state'],
    registers: [this.registry],
  });

  readonly liveClients = new Gauge<'topic'>({
    name: 'reddit_live_clients',
    help: 'Clients connected to the live (Server-Sent Events) feeds, by topic (windows, trends).',
    labelNames: ['topic'],
    registers: [this.registry],
  });

  readonly liveFollowing = new Gauge({
    name: 'reddit_live_following',
    help: '1 once this server follows the window and trend topics for its live clients.',
    registers: [this.registry],
  });

  readonly windowsReopened = new Counter({
    name: 'reddit_windows_reopened_total',
    help: 'Closed windows reopened from the archive because another lane (a backfill, or live data after a stop) reached them.',
    registers: [this.registry],
  });

  readonly eventsDuplicate = new Counter({
    name: 'reddit_events_duplicate_total',
    help: 'Consumed events whose fullname was already counted (redeliveries, duplicated input).',
    registers: [this.registry],
  });

  readonly watermark = new Gauge({
    name: 'reddit_watermark_seconds',
    help: 'Event-time watermark of this consumer (Unix seconds): windows ending before it are final.',
    registers: [this.registry],
  });

  readonly windowsOpen = new Gauge({
    name: 'reddit_windows_open',
    help: 'Windows held in streaming state (open, or fired but within the allowed lateness).',
    registers: [this.registry],
  });

  readonly streamEvents = new Counter<'stream' | 'outcome'>({
    name: 'reddit_stream_events_total',
    help:
      'Consumed events per ingest stream by what happened to them: applied, lateApplied (to a window ' +
      'already final), tooLate (to the late-events topic), duplicates, deadLettered. Counts again ' +
      'what a partition re-reads after a restart; the stream status has the exactly-once totals.',
    labelNames: ['stream', 'outcome'],
    registers: [this.registry],
  });

  readonly dedupeFullnames = new Gauge({
    name: 'reddit_dedupe_fullnames',
    help: 'Fullnames remembered for dedupe: the events counted in windows that can still change.',
    registers: [this.registry],
  });

  readonly partitionsPaused = new Gauge({
    name: 'reddit_partitions_paused',
    help: 'Consumed partitions paused because a flush failed (a store is down or slow).',
    registers: [this.registry],
  });

  readonly flushes = new Counter<'outcome'>({
    name: 'reddit_flushes_total',
    help: 'Partition flushes (outputs written, then state checkpointed), by outcome (ok, failed, fenced).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  readonly activeStreams = new Gauge<'source'>({
    name: 'reddit_streams_active',
    help: 'Ingest streams currently running, by source.',
    labelNames: ['source'],
    registers: [this.registry],
  });

  readonly eventSentiment = new Histogram<'subreddit'>({
    name: 'reddit_event_sentiment',
    help: 'Sentiment score of consumed events, by subreddit.',
    labelNames: ['subreddit'],
    buckets: [-1, -0.6, -0.2, -0.05, 0.05, 0.2, 0.6, 1],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Every reason is exported from the start, at 0, so a per-reason panel or
    // alert sees "none yet" rather than no data.
    for (const reason of DEAD_LETTER_REASONS) this.eventsDeadLettered.inc({ reason }, 0);
  }

  recordProduced(source: string, kind: Kind, count: number): void {
    if (count > 0) this.eventsProduced.inc({ source, kind }, count);
  }

  recordConsumed(kind: Kind, count: number): void {
    if (count > 0) this.eventsConsumed.inc({ kind }, count);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@app/common/clock';
import { parseRedditEvent, type RedditEvent } from '@app/ingest/domain/reddit-event';
import { MetricsService } from '@app/metrics/metrics.service';
import { type EnrichedEvent, NlpService } from '@app/nlp/nlp.service';
import { PostStore, Warehouse, WindowStore } from '@app/storage/ports';
import { type PostRecord, type WindowRecord } from '@app/storage/records';
import {
  sentimentMean,
  TumblingWindowEngine,
  type WindowAggregate,
  type WindowInput,
} from './domain/windows';
import { DeadLetterSink, type DeadLetter, WindowPublisher } from './outputs';
import { type ConsumedBatch } from './transport/consumed-batch';

/** Windows that ended this long before the newest event are dropped from memory. */
const WINDOW_RETENTION_MS = 15 * 60_000;

/**
 * The consumer side of the pipeline for one batch: decode and validate,
 * enrich (NLP), update windows, persist posts and windows, publish windows.
 * Resolves only when every effect is durable; the transport then commits.
 */
@Injectable()
export class StreamingService {
  private readonly logger = new Logger(StreamingService.name);
  private readonly windows = new TumblingWindowEngine();
  private newestEventMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly nlp: NlpService,
    private readonly posts: PostStore,
    private readonly windowStore: WindowStore,
    private readonly warehouse: Warehouse,
    private readonly deadLetters: DeadLetterSink,
    private readonly windowPublisher: WindowPublisher,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
  ) {}

  async processBatch(batch: ConsumedBatch): Promise<void> {
    const timer = (stage: string) => this.metrics.batchDuration.startTimer({ stage });
    this.metrics.consumerBatchSize.observe(batch.messages.length);

    let stop = timer('decode');
    const { events, rejected } = this.decode(batch);
    stop();

    stop = timer('nlp');
    const enriched = this.nlp.enrichBatch(events);
    stop();

    stop = timer('windows');
    const { changed, rollback } = await this.updateWindows(enriched);
    const now = this.clock.now();
    const windowRecords = changed.map((aggregate) => toWindowRecord(aggregate, now));
    stop();

    try {
      stop = timer('storage');
      const postRecords = enriched.map(toPostRecord);
      await Promise.all([
        this.posts.upsertPosts(postRecords),
        this.windowStore.upsertWindows(windowRecords),
        this.warehouse.loadPosts(postRecords),
        this.warehouse.loadWindows(windowRecords),
      ]);
      stop();

      stop = timer('publish');
      await Promise.all([
        windowRecords.length > 0 ? this.windowPublisher.publish(windowRecords) : undefined,
        rejected.length > 0 ? this.deadLetters.send(rejected) : undefined,
      ]);
      stop();
    } catch (error) {
      // The batch will be redelivered: forget its effect on the windows so it counts once then.
      rollback();
      throw error;
    }

    this.windows.evictEndedBefore(this.newestEventMs - WINDOW_RETENTION_MS);
    this.record(enriched, windowRecords.length, rejected);
  }

  private decode(batch: ConsumedBatch): { events: RedditEvent[]; rejected: DeadLetter[] } {
    const events: RedditEvent[] = [];
    const rejected: DeadLetter[] = [];
    for (const message of batch.messages) {
      const text = message.value?.toString('utf8') ?? null;
      const reject = (reason: string) =>
        rejected.push({
          reason,
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          key: message.key,
          value: text,
          failedAtMs: this.clock.now(),
        });
      if (text === null) {
        reject('empty message value');
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        reject(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const parsed = parseRedditEvent(json);
      if (parsed.ok) events.push(parsed.value);
      else reject(`invalid event: ${parsed.reason}`);
    }
    if (rejected.length > 0) {
      this.logger.warn(
        `${batch.topic}/${batch.partition}: ${rejected.length} message(s) dead-lettered, first at offset ${rejected[0]?.offset}: ${rejected[0]?.reason}`,
      );
    }
    return { events, rejected };
  }

  private async updateWindows(
    enriched: readonly EnrichedEvent[],
  ): Promise<{ changed: WindowAggregate[]; rollback: () => void }> {
    const inputs: WindowInput[] = enriched.map(({ event, sentiment }) => ({
      fullname: event.fullname,
      subreddit: event.subreddit,
      kind: event.kind,
      eventTimeMs: event.createdUtc * 1000,
      score: event.score,
      sentiment: sentiment?.score ?? null,
    }));
    const missing = this.windows.missingKeys(inputs);
    if (missing.length > 0) {
      // Continue windows already stored (e.g. before a restart) instead of overwriting them.
      const stored = await this.windowStore.getWindows(
        missing.map((key) => ({ ...key, window: this.windows.spec.name })),
      );
      for (const record of stored) this.windows.seed(fromWindowRecord(record));
    }
    const result = this.windows.apply(inputs);
    for (const input of inputs)
      this.newestEventMs = Math.max(this.newestEventMs, input.eventTimeMs);
    return result;
  }

  private record(
    enriched: readonly EnrichedEvent[],
    windowsWritten: number,
    rejected: readonly DeadLetter[],
  ): void {
    let submissions = 0;
    for (const { event, sentiment } of enriched) {
      if (event.kind === 'submission') submissions++;
      if (sentiment)
        this.metrics.eventSentiment.observe({ subreddit: event.subreddit }, sentiment.score);
    }
    this.metrics.recordConsumed('submission', submissions);
    this.metrics.recordConsumed('comment', enriched.length - submissions);
    if (enriched.length > 0) {
      this.metrics.postsWritten.inc({ store: 'cassandra' }, enriched.length);
      this.metrics.postsWritten.inc({ store: 'warehouse' }, enriched.length);
    }
    if (windowsWritten > 0) {
      this.metrics.windowsWritten.inc({ store: 'cassandra' }, windowsWritten);
      this.metrics.windowsWritten.inc({ store: 'warehouse' }, windowsWritten);
      this.metrics.windowsWritten.inc({ store: 'kafka' }, windowsWritten);
    }
    for (const letter of rejected) {
      this.metrics.eventsDeadLettered.inc({
        reason: letter.reason.startsWith('invalid JSON') ? 'invalid_json' : 'invalid_event',
      });
    }
  }
}

function toPostRecord({ event, sentiment }: EnrichedEvent): PostRecord {
  return {
    subreddit: event.subreddit,
    fullname: event.fullname,
    kind: event.kind,
    createdAtMs: event.createdUtc * 1000,
    author: event.author,
    title: event.title,
    body: event.body,
    permalink: event.permalink,
    url: event.url,
    score: event.score,
    numComments: event.numComments,
    over18: event.over18,
    linkId: event.linkId,
    parentId: event.parentId,
    sentimentScore: sentiment?.score ?? null,
    sentimentLabel: sentiment?.label ?? null,
    bodyState: event.bodyState,
    ingestedAtMs: Math.round(event.ingestedUtc * 1000),
    source: event.source,
    streamId: event.streamId,
  };
}

function toWindowRecord(aggregate: WindowAggregate, updatedAtMs: number): WindowRecord {
  return { ...aggregate, sentimentMean: sentimentMean(aggregate), updatedAtMs };
}

function fromWindowRecord(record: WindowRecord): WindowAggregate {
  return {
    subreddit: record.subreddit,
    window: record.window,
    windowStartMs: record.windowStartMs,
    windowEndMs: record.windowEndMs,
    submissions: record.submissions,
    comments: record.comments,
    sentimentSum: record.sentimentSum,
    sentimentCount: record.sentimentCount,
    positive: record.positive,
    neutral: record.neutral,
    negative: record.negative,
    scoreSum: record.scoreSum,
    firstEventMs: record.firstEventMs,
    lastEventMs: record.lastEventMs,
  };
}

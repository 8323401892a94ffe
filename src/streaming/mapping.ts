import { type EnrichedEvent } from '@app/nlp/nlp.service';
import { type PostRecord, type TrendRecord, type WindowRecord } from '@app/storage/records';
import { type TrendFinding } from '@app/trends/domain';
import { type LateEvent } from '@app/events/late-event';
import { type RedditEvent } from '@app/events/reddit-event';
import { type ConsumedBatch } from '@app/kafka/consumer/consumed-batch';
import {
  type EngineInput,
  type IngestOutcome,
  backfillLane,
  LIVE_LANE,
  type WindowResult,
} from './domain/engine';

/** Counts a missing (deleted) author under one name, as Reddit shows it. */
export const DELETED_AUTHOR = '[deleted]';

export function toEngineInput({
  event,
  sentiment,
  keywords,
  mentions,
}: EnrichedEvent): EngineInput {
  return {
    fullname: event.fullname,
    subreddit: event.subreddit,
    kind: event.kind,
    eventTimeMs: event.createdUtc * 1000,
    author: event.author ?? DELETED_AUTHOR,
    score: event.score,
    sentiment: sentiment?.score ?? null,
    sentimentLabel: sentiment?.label ?? null,
    sentimentModel: sentiment?.model ?? null,
    keywords,
    lane: laneOf(event),
    mentions: [
      ...mentions.subreddits.map((m) => `r/${m}`),
      ...mentions.users.map((m) => `u/${m}`),
      ...mentions.domains,
      ...mentions.tickers.map((m) => `$${m}`),
      ...mentions.hashtags.map((m) => `#${m}`),
    ],
  };
}

/**
 * The event-time lane of an event (see LaneClocks): each replay stream is a
 * backfill with a lane of its own; every other stream follows the present.
 */
export function laneOf(event: RedditEvent): string {
  return event.source === 'replay' ? backfillLane(event.streamId) : LIVE_LANE;
}

export function toPostRecord({ event, sentiment }: EnrichedEvent): PostRecord {
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
    sentimentModel: sentiment?.model ?? null,
    bodyState: event.bodyState,
    ingestedAtMs: Math.round(event.ingestedUtc * 1000),
    source: event.source,
    streamId: event.streamId,
  };
}

export function toWindowRecord(
  result: WindowResult,
  updatedAtMs: number,
  version: number,
): WindowRecord {
  return {
    subreddit: result.subreddit,
    window: result.window,
    windowStartMs: result.windowStartMs,
    windowEndMs: result.windowEndMs,
    submissions: result.submissions,
    comments: result.comments,
    uniqueAuthors: result.uniqueAuthors,
    uniqueAuthorsExact: result.uniqueAuthorsExact,
    sentimentSum: result.sentimentSum,
    sentimentCount: result.sentimentCount,
    sentimentMean: result.sentimentMean,
    sentimentMin: result.sentimentMin,
    sentimentMax: result.sentimentMax,
    positive: result.positive,
    neutral: result.neutral,
    negative: result.negative,
    sentimentModel: result.sentimentModels.length === 0 ? null : result.sentimentModels.join(','),
    scoreSum: result.scoreSum,
    topKeywords: result.topKeywords,
    topMentions: result.topMentions,
    // A window holds at least one event, so these are set.
    firstEventMs: result.firstEventMs ?? result.windowStartMs,
    lastEventMs: result.lastEventMs ?? result.windowStartMs,
    final: result.final,
    updatedAtMs,
    version,
  };
}

export function toTrendRecord(finding: TrendFinding, detectedAtMs: number): TrendRecord {
  return { ...finding, detectedAtMs };
}

/** The late-events records of a batch's too-late events, with where they were read and why. */
export function toLateEvents(
  batch: ConsumedBatch,
  outcome: IngestOutcome,
  eventOf: (input: EngineInput) => EnrichedEvent | undefined,
  offsetOf: (input: EngineInput) => string,
  settings: { readonly allowedLatenessMs: number },
): LateEvent[] {
  const late: LateEvent[] = [];
  outcome.tooLate.forEach((input, i) => {
    const found = eventOf(input);
    if (!found) return;
    late.push({
      event: found.event,
      topic: batch.topic,
      partition: batch.partition,
      offset: offsetOf(input),
      // A closed backfill lane judges by +Infinity: no time to report.
      watermarkMs: finiteOrNull(outcome.tooLateWatermarksMs[i]),
      allowedLatenessMs: settings.allowedLatenessMs,
    });
  });
  return late;
}

function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

import { type EnrichedEvent } from '@app/nlp/nlp.service';
import { type PostRecord, type StateItem, type WindowRecord } from '@app/storage/records';
import {
  type EngineInput,
  type PartitionState,
  type SeenRow,
  type WindowResult,
  type WindowSnapshot,
  windowKey,
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
    mentions: [
      ...mentions.subreddits.map((m) => `r/${m}`),
      ...mentions.users.map((m) => `u/${m}`),
      ...mentions.domains,
      ...mentions.tickers.map((m) => `$${m}`),
      ...mentions.hashtags.map((m) => `#${m}`),
    ],
  };
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

export function toWindowRecord(result: WindowResult, updatedAtMs: number): WindowRecord {
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
  };
}

/** Seen rows sort by sequence number as text. */
const seenKey = (seq: number): string => String(seq).padStart(12, '0');

export function windowItem(snapshot: WindowSnapshot): StateItem {
  return {
    kind: 'window',
    key: windowKey(snapshot.subreddit, snapshot.window, snapshot.windowStartMs),
    data: JSON.stringify(snapshot),
  };
}

export function seenItem(row: SeenRow): StateItem {
  return { kind: 'seen', key: seenKey(row.seq), data: JSON.stringify(row) };
}

export function seenItemKey(seq: number): { kind: 'seen'; key: string } {
  return { kind: 'seen', key: seenKey(seq) };
}

/** Rebuilds the engine's view of a partition from stored items. */
export function toPartitionState(
  maxEventTimeMs: number | null,
  items: readonly StateItem[],
): PartitionState {
  const windows: WindowSnapshot[] = [];
  const seen: SeenRow[] = [];
  for (const item of items) {
    if (item.kind === 'window') windows.push(JSON.parse(item.data) as WindowSnapshot);
    else seen.push(JSON.parse(item.data) as SeenRow);
  }
  seen.sort((a, b) => a.seq - b.seq);
  return { maxEventTimeMs, windows, seen };
}

import { Injectable } from '@nestjs/common';
import { types } from 'cassandra-driver';
import { AppConfig } from '@app/config';
import { PostStore } from '../ports';
import { DAY_MS, type LatestPostsQuery, type PostRecord, utcDay } from '../records';
import { CassandraSession } from './cassandra-session';
import { localDate } from './local-dates';
import { forEachConcurrently, partitionBatches, textBytes } from './partition-batches';

/** Batches in flight at once. */
const CONCURRENCY = 8;
/** The fixed-size columns and the short texts, roughly. */
const ROW_OVERHEAD_BYTES = 200;

@Injectable()
export class CassandraPostStore extends PostStore {
  private readonly insert: string;
  private readonly latest: string;

  constructor(
    private readonly session: CassandraSession,
    config: AppConfig,
  ) {
    super();
    this.insert = `INSERT INTO ${config.cassandra.keyspace}.posts_by_subreddit_day (
      subreddit, day, created_at, fullname, kind, author, title, body, permalink, url,
      score, num_comments, over_18, link_id, parent_id, sentiment_score, sentiment_label,
      ingested_at, source, stream_id, body_state, sentiment_model)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    this.latest = `SELECT * FROM ${config.cassandra.keyspace}.posts_by_subreddit_day
      WHERE subreddit = ? AND day = ? AND created_at < ? LIMIT ?`;
  }

  async findLatest(query: LatestPostsQuery): Promise<PostRecord[]> {
    const found: PostRecord[] = [];
    // One partition per day, newest day first, until the limit is filled.
    for (let day = 0; day < query.maxDays && found.length < query.limit; day++) {
      const result = await this.session.client.execute(
        this.latest,
        [
          query.subreddit,
          localDate(utcDay(query.beforeMs - day * DAY_MS)),
          new Date(query.beforeMs),
          query.limit - found.length,
        ],
        { prepare: true },
      );
      for (const row of result.rows) found.push(toPostRecord(row));
    }
    return found;
  }

  async upsertPosts(posts: readonly PostRecord[]): Promise<void> {
    if (posts.length === 0) return;
    const rows = posts.map((p) => {
      const day = utcDay(p.createdAtMs);
      return {
        partitionKey: `${p.subreddit}|${day}`,
        rowKey: `${p.subreddit}|${day}|${p.createdAtMs}|${p.fullname}`,
        bytes: ROW_OVERHEAD_BYTES + textBytes(p.title, p.body, p.url, p.permalink),
        params: [
          p.subreddit,
          localDate(day),
          new Date(p.createdAtMs),
          p.fullname,
          p.kind,
          p.author,
          p.title,
          p.body,
          p.permalink,
          p.url,
          Math.trunc(p.score),
          p.numComments,
          p.over18,
          p.linkId,
          p.parentId,
          p.sentimentScore,
          p.sentimentLabel,
          new Date(p.ingestedAtMs),
          p.source,
          p.streamId,
          p.bodyState,
          p.sentimentModel,
        ],
      };
    });
    await forEachConcurrently(partitionBatches(rows), CONCURRENCY, (batch) =>
      this.session.client.batch(
        batch.map((row) => ({ query: this.insert, params: row.params })),
        { prepare: true, logged: false },
      ),
    );
  }
}

const ms = (value: unknown): number => (value instanceof Date ? value.getTime() : Number.NaN);

function toPostRecord(row: types.Row): PostRecord {
  const get = <T>(name: string): T => row.get(name) as T;
  return {
    subreddit: get<string>('subreddit'),
    fullname: get<string>('fullname'),
    kind: get<'submission' | 'comment'>('kind'),
    createdAtMs: ms(row.get('created_at')),
    author: get<string | null>('author'),
    title: get<string | null>('title'),
    body: get<string | null>('body'),
    permalink: get<string>('permalink'),
    url: get<string | null>('url'),
    score: get<number>('score'),
    numComments: get<number | null>('num_comments'),
    over18: get<boolean>('over_18'),
    linkId: get<string | null>('link_id'),
    parentId: get<string | null>('parent_id'),
    sentimentScore: get<number | null>('sentiment_score'),
    sentimentLabel: get<string | null>('sentiment_label'),
    sentimentModel: get<string | null>('sentiment_model'),
    bodyState: get<string | null>('body_state') ?? 'present',
    ingestedAtMs: ms(row.get('ingested_at')),
    source: get<string>('source'),
    streamId: get<string>('stream_id'),
  };
}

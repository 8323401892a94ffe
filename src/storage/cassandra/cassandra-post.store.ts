import { Injectable } from '@nestjs/common';
import { concurrent, types } from 'cassandra-driver';
import { AppConfig } from '@app/config';
import { PostStore } from '../ports';
import { type PostRecord, utcDay } from '../records';
import { CassandraSession } from './cassandra-session';

const CONCURRENCY = 64;

@Injectable()
export class CassandraPostStore extends PostStore {
  private readonly insert: string;

  constructor(
    private readonly session: CassandraSession,
    config: AppConfig,
  ) {
    super();
    this.insert = `INSERT INTO ${config.cassandra.keyspace}.posts_by_subreddit_day (
      subreddit, day, created_at, fullname, kind, author, title, body, permalink, url,
      score, num_comments, over_18, link_id, parent_id, sentiment_score, sentiment_label,
      ingested_at, source, stream_id, body_state)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  }

  async upsertPosts(posts: readonly PostRecord[]): Promise<void> {
    if (posts.length === 0) return;
    const params = posts.map((p) => [
      p.subreddit,
      types.LocalDate.fromString(utcDay(p.createdAtMs)),
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
    ]);
    await concurrent.executeConcurrent(this.session.client, this.insert, params, {
      concurrencyLevel: CONCURRENCY,
      raiseOnFirstError: true,
    });
  }
}

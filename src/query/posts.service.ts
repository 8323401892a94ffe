import { Injectable } from '@nestjs/common';
import { Clock } from '@app/common/clock';
import { subredditKey } from '@app/events/reddit-event';
import { PostStore } from '@app/storage/ports';
import { type PostRecord } from '@app/storage/records';

const DEFAULT_LIMIT = 25;
/** How many days of (subreddit, day) partitions a "latest posts" read looks back through. */
const MAX_DAYS_BACK = 7;

/** Reads the newest enriched posts of a subreddit for the API. */
@Injectable()
export class PostsService {
  constructor(
    private readonly store: PostStore,
    private readonly clock: Clock,
  ) {}

  async latest(
    name: string,
    limit = DEFAULT_LIMIT,
    before?: string,
  ): Promise<{ subreddit: string; posts: PostRecord[] }> {
    const subreddit = subredditKey(name);
    const beforeMs = before === undefined ? this.clock.now() + 1 : Date.parse(before);
    const posts = await this.store.findLatest({
      subreddit,
      beforeMs,
      limit,
      maxDays: MAX_DAYS_BACK,
    });
    return { subreddit, posts };
  }
}

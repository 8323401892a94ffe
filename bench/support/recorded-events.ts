import { type RedditEvent } from '@app/events/reddit-event';
import { SeededRandom } from '@app/ingest/domain/prng';
import { type BenchEvent } from './bench-events';
import { type RecordedItems, recordedRedditItems } from './reddit-texts';

/** Of Reddit's volume, the share of comments (the rest are submissions). */
const COMMENT_SHARE = 0.89;
const RECENT = 20;

export interface RecordedEventOptions {
  readonly seed: number;
  readonly subreddits: readonly string[];
  /** Subreddit activity: uniform (default), or Zipf by list position (the first busiest). */
  readonly activity?: 'uniform' | 'zipf';
  /** Event time of the first item (ignored when `next` is given an event time). */
  readonly startTimeMs: number;
  /** Event-time spacing between consecutive items. */
  readonly eventIntervalMs: number;
  readonly streamId: string;
}

/**
 * The realistic profile: real recorded Reddit items (the cassettes under
 * ../shared/data, normalised as ingest normalises them) resampled into a
 * stream of new events. Each keeps its template's title, body, author,
 * score, URL and flags, so text lengths and JSON sizes are Reddit's; it gets
 * a fresh id, a subreddit, an event time and, for comments, a parent among
 * the stream's recent submissions. Comments are 89% of events; submissions
 * are self or link posts in the recorded proportion.
 */
export class RecordedEventSource {
  private readonly items: RecordedItems;
  private readonly random: SeededRandom;
  private readonly selfShare: number;
  private readonly recentSubmissions = new Map<string, string[]>();
  private readonly recentComments = new Map<string, string[]>();
  private nextSubmission = 36 ** 5;
  private nextComment = 36 ** 6;
  private count = 0;
  /** Zipf activity: cumulative weights 1/rank, for a binary search. */
  private readonly cumulative: number[] | null;

  constructor(private readonly options: RecordedEventOptions) {
    this.items = recordedRedditItems();
    const { comments, selfPosts, linkPosts } = this.items;
    if (comments.length === 0 || selfPosts.length + linkPosts.length === 0)
      throw new Error('no recorded Reddit items found under ../shared/data/reddit/cassettes');
    this.selfShare = selfPosts.length / (selfPosts.length + linkPosts.length);
    this.random = new SeededRandom(options.seed);
    if (options.activity === 'zipf') {
      let total = 0;
      this.cumulative = options.subreddits.map((_, rank) => (total += 1 / (rank + 1)));
    } else this.cumulative = null;
  }

  private subreddit(): string {
    const { subreddits } = this.options;
    if (!this.cumulative) return this.random.pick(subreddits);
    const target = this.random.next() * (this.cumulative.at(-1) ?? 1);
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] ?? 0) < target) lo = mid + 1;
      else hi = mid;
    }
    return subreddits[lo] ?? subreddits[0] ?? 'askreddit';
  }

  /** What the templates are: counts and text sizes, for the benchmark's report. */
  describe(): string {
    const { comments, selfPosts, linkPosts } = this.items;
    const mean = (xs: readonly number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
    const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;
    const commentText = comments.map((c) => (c.body ?? '').length);
    const postText = [...selfPosts, ...linkPosts].map(
      (s) => (s.title ?? '').length + (s.body ?? '').length,
    );
    return (
      `recorded Reddit items resampled: ${comments.length} comments (text mean ${mean(commentText)}, ` +
      `median ${median(commentText)} chars), ${selfPosts.length} self and ${linkPosts.length} link ` +
      `posts (title + text mean ${mean(postText)} chars); ${Math.round(COMMENT_SHARE * 100)}% comments`
    );
  }

  next(ingestedAtMs: number, eventTimeMs?: number): BenchEvent {
    const r = this.random;
    const index = this.count++;
    const timeMs = eventTimeMs ?? this.options.startTimeMs + index * this.options.eventIntervalMs;
    const subreddit = this.subreddit();
    const common = {
      subreddit,
      createdUtc: Math.floor(timeMs / 1000),
      ingestedUtc: ingestedAtMs / 1000,
      source: 'reddit' as const,
      streamId: this.options.streamId,
    };
    let event: RedditEvent;
    if (r.next() < COMMENT_SHARE) {
      const template = r.pick(this.items.comments);
      const id = (this.nextComment++).toString(36);
      const linkId =
        this.recent(this.recentSubmissions, subreddit) ??
        `t3_${(this.nextSubmission++).toString(36)}`;
      const parentId = r.chance(0.3)
        ? (this.recent(this.recentComments, subreddit) ?? linkId)
        : linkId;
      event = {
        ...template,
        ...common,
        id,
        fullname: `t1_${id}`,
        permalink: `/r/${subreddit}/comments/${linkId.slice(3)}/_/${id}/`,
        linkId,
        parentId,
      };
      this.remember(this.recentComments, subreddit, event.fullname);
    } else {
      const template =
        r.next() < this.selfShare ? r.pick(this.items.selfPosts) : r.pick(this.items.linkPosts);
      const id = (this.nextSubmission++).toString(36);
      event = {
        ...template,
        ...common,
        id,
        fullname: `t3_${id}`,
        permalink: `/r/${subreddit}/comments/${id}/_/`,
      };
      this.remember(this.recentSubmissions, subreddit, event.fullname);
    }
    return { event, json: JSON.stringify(event) };
  }

  private recent(from: Map<string, string[]>, subreddit: string): string | null {
    const list = from.get(subreddit);
    return list && list.length > 0 ? this.random.pick(list) : null;
  }

  private remember(into: Map<string, string[]>, subreddit: string, fullname: string): void {
    const list = into.get(subreddit) ?? [];
    list.push(fullname);
    if (list.length > RECENT) list.shift();
    into.set(subreddit, list);
  }
}

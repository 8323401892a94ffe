import { SeededRandom } from '../../domain/prng';
import {
  EVENT_SCHEMA_VERSION,
  type EventKind,
  type RedditEvent,
  subredditKey,
} from '@app/events/reddit-event';
import {
  AUTHOR_ADJECTIVES,
  AUTHOR_NOUNS,
  NEGATIVE_PHRASES,
  NEUTRAL_FILLERS,
  POSITIVE_PHRASES,
  TOPICS,
} from './vocabulary';

export interface SyntheticOptions {
  readonly seed: number;
  readonly subreddits: readonly string[];
  readonly kinds: readonly EventKind[];
  /** Event time of the first item, Unix milliseconds. */
  readonly startTimeMs: number;
  /** Event-time spacing between consecutive items, milliseconds. */
  readonly eventIntervalMs: number;
  /** Share of submissions when both kinds are generated. */
  readonly submissionShare?: number;
  readonly streamId: string;
}

/** The part of an event that depends only on the options and the item's position. */
export type SyntheticItem = Omit<RedditEvent, 'ingestedUtc'>;

const AUTHOR_POOL = 500;
const DELETED_AUTHOR_CHANCE = 0.03;

/**
 * Deterministic generator of Reddit-shaped submissions and comments: the same
 * options give the same sequence of items, so tests can compute expected
 * aggregates offline from the very items the server ingested.
 */
export class SyntheticRedditGenerator {
  private readonly random: SeededRandom;
  private readonly subreddits: readonly string[];
  private readonly recentSubmissions = new Map<string, string[]>();
  private nextSubmissionId: number;
  private nextCommentId: number;
  private index = 0;

  constructor(private readonly options: SyntheticOptions) {
    if (options.subreddits.length === 0) throw new Error('at least one subreddit is required');
    if (options.kinds.length === 0) throw new Error('at least one kind is required');
    if (options.eventIntervalMs < 0) throw new Error('eventIntervalMs must not be negative');
    this.random = new SeededRandom(options.seed);
    this.subreddits = options.subreddits.map(subredditKey);
    // Reddit's ids are base36 counters; start in a realistic range that depends on the seed.
    this.nextSubmissionId = 1_500_000_000 + (Math.abs(options.seed) % 1_000_000) * 1000;
    this.nextCommentId = 60_000_000_000 + (Math.abs(options.seed) % 1_000_000) * 10_000;
  }

  /** How many items have been generated so far. */
  get position(): number {
    return this.index;
  }

  next(): SyntheticItem {
    const i = this.index++;
    const subreddit = this.random.pick(this.subreddits);
    const kind = this.pickKind(subreddit);
    const createdUtc = Math.floor(
      (this.options.startTimeMs + i * this.options.eventIntervalMs) / 1000,
    );
    const author = this.random.chance(DELETED_AUTHOR_CHANCE) ? null : this.author();
    return kind === 'submission'
      ? this.submission(subreddit, author, createdUtc)
      : this.comment(subreddit, author, createdUtc);
  }

  take(count: number): SyntheticItem[] {
    const items: SyntheticItem[] = [];
    for (let n = 0; n < count; n++) items.push(this.next());
    return items;
  }

  private pickKind(subreddit: string): EventKind {
    const { kinds } = this.options;
    if (kinds.length === 1) return kinds[0] as EventKind;
    const hasParent = (this.recentSubmissions.get(subreddit)?.length ?? 0) > 0;
    // A comment needs a submission to hang under; the first item of a subreddit is a post.
    if (!hasParent) return 'submission';
    return this.random.chance(this.options.submissionShare ?? 0.2) ? 'submission' : 'comment';
  }

  private author(): string {
    const n = this.random.int(0, AUTHOR_POOL - 1);
    const adjective = AUTHOR_ADJECTIVES[n % AUTHOR_ADJECTIVES.length] as string;
    const noun = AUTHOR_NOUNS[
      Math.floor(n / AUTHOR_ADJECTIVES.length) % AUTHOR_NOUNS.length
    ] as string;
    return `${adjective}_${noun}_${n}`;
  }

  private sentence(): string {
    const topic = this.random.pick(TOPICS);
    const mood = this.random.next();
    if (mood < 0.4) return `I ${this.random.pick(POSITIVE_PHRASES)} ${topic}!`;
    if (mood < 0.75) return `Honestly ${topic} is ${this.random.pick(NEGATIVE_PHRASES)}.`;
    return `Thoughts on ${topic}? ${this.random.pick(NEUTRAL_FILLERS)}`;
  }

  private submission(subreddit: string, author: string | null, createdUtc: number): SyntheticItem {
    const id = (this.nextSubmissionId++).toString(36);
    const fullname = `t3_${id}`;
    const recent = this.recentSubmissions.get(subreddit) ?? [];
    recent.push(fullname);
    if (recent.length > 20) recent.shift();
    this.recentSubmissions.set(subreddit, recent);
    const slug = this.random.pick(TOPICS).replace(/[^a-z0-9]+/g, '_');
    const selfPost = this.random.chance(0.6);
    const body = selfPost ? `${this.sentence()} ${this.sentence()}` : '';
    return {
      schemaVersion: EVENT_SCHEMA_VERSION,
      kind: 'submission',
      id,
      fullname,
      subreddit,
      author,
      title: this.sentence(),
      body,
      bodyState: body === '' ? 'empty' : 'present',
      permalink: `/r/${subreddit}/comments/${id}/${slug}/`,
      url: selfPost
        ? `https://www.reddit.com/r/${subreddit}/comments/${id}/${slug}/`
        : `https://example.com/${slug}`,
      score: this.random.int(0, 500),
      numComments: this.random.int(0, 200),
      over18: this.random.chance(0.02),
      linkId: null,
      parentId: null,
      createdUtc,
      source: 'synthetic',
      streamId: this.options.streamId,
    };
  }

  private comment(subreddit: string, author: string | null, createdUtc: number): SyntheticItem {
    const id = (this.nextCommentId++).toString(36);
    const parents = this.recentSubmissions.get(subreddit) ?? [];
    if (parents.length === 0) {
      // Comments-only streams still need a thread to belong to: invent one unseen post.
      parents.push(`t3_${(this.nextSubmissionId++).toString(36)}`);
      this.recentSubmissions.set(subreddit, parents);
    }
    const linkId = this.random.pick(parents);
    return {
      schemaVersion: EVENT_SCHEMA_VERSION,
      kind: 'comment',
      id,
      fullname: `t1_${id}`,
      subreddit,
      author,
      title: null,
      body: this.random.chance(0.3) ? `${this.sentence()} ${this.sentence()}` : this.sentence(),
      bodyState: 'present',
      permalink: `/r/${subreddit}/comments/${linkId.slice(3)}/_/${id}/`,
      url: null,
      score: this.random.int(-20, 300),
      numComments: null,
      over18: false,
      linkId,
      parentId: linkId,
      createdUtc,
      source: 'synthetic',
      streamId: this.options.streamId,
    };
  }
}

import { SeededRandom } from '@app/ingest/domain/prng';
import { EVENT_SCHEMA_VERSION, type RedditEvent } from '@app/events/reddit-event';
import {
  type SyntheticItem,
  SyntheticRedditGenerator,
} from '@app/ingest/sources/synthetic/synthetic-generator';
import {
  NEGATIVE_PHRASES,
  NEUTRAL_FILLERS,
  POSITIVE_PHRASES,
  TOPICS,
} from '@app/ingest/sources/synthetic/vocabulary';

/** Fifty real, busy subreddits (lower-cased keys, as ingest produces them). */
export const BENCH_SUBREDDITS: readonly string[] = [
  'askreddit',
  'worldnews',
  'news',
  'pics',
  'funny',
  'gaming',
  'movies',
  'todayilearned',
  'science',
  'technology',
  'politics',
  'nba',
  'nfl',
  'soccer',
  'formula1',
  'dataengineering',
  'programming',
  'javascript',
  'typescript',
  'python',
  'machinelearning',
  'datascience',
  'personalfinance',
  'wallstreetbets',
  'stocks',
  'cryptocurrency',
  'explainlikeimfive',
  'askscience',
  'books',
  'music',
  'television',
  'food',
  'cooking',
  'fitness',
  'travel',
  'europe',
  'canada',
  'unitedkingdom',
  'australia',
  'india',
  'relationship_advice',
  'amitheasshole',
  'mildlyinteresting',
  'showerthoughts',
  'lifeprotips',
  'nostupidquestions',
  'buildapc',
  'pcgaming',
  'apple',
  'android',
];

/** Conversational padding in the style of long Reddit comments; no double quotes, ASCII only. */
const OPENERS = [
  'Not gonna lie,',
  'To be fair,',
  'In my experience,',
  'Honestly,',
  'For what it is worth,',
  'Hot take:',
  'As someone who has been here for years,',
  'Edit: thanks for the replies.',
] as const;

const OBSERVATIONS = [
  'the thread last week covered most of this',
  'half the comments here missed the point',
  'the mods already pinned a megathread about it',
  'my friends keep arguing about it at work',
  'the numbers in the article do not add up',
  'people were saying the same thing two years ago',
  'the documentation explains it better than any video',
  'the price went up again and nobody noticed',
  'the community around it is the main reason I stay',
  'support took three weeks to answer my ticket',
] as const;

const LINK_DOMAINS = ['github.com', 'en.wikipedia.org', 'youtube.com', 'nytimes.com'] as const;

export interface BenchEventOptions {
  readonly seed: number;
  readonly subreddits: readonly string[];
  /** Event time of the first item (ignored when `next` is given an event time). */
  readonly startTimeMs: number;
  /** Event-time spacing between consecutive items. */
  readonly eventIntervalMs: number;
  /** Average size of a comment's JSON; bodies are padded with sentences to reach it. */
  readonly meanJsonBytes: number;
  readonly streamId: string;
}

export interface BenchEvent {
  readonly event: RedditEvent;
  readonly json: string;
}

/**
 * The project's SyntheticRedditGenerator with Reddit-sized bodies: its one- or
 * two-sentence bodies are extended with generated sentences (with the quotes,
 * links and mentions real comments carry) so that each item's JSON is between
 * half and one and a half times `meanJsonBytes`. Link posts keep their empty body.
 */
export class BenchEventSource {
  private readonly generator: SyntheticRedditGenerator;
  private readonly random: SeededRandom;

  constructor(private readonly options: BenchEventOptions) {
    this.generator = new SyntheticRedditGenerator({
      seed: options.seed,
      subreddits: options.subreddits,
      kinds: ['submission', 'comment'],
      startTimeMs: options.startTimeMs,
      eventIntervalMs: options.eventIntervalMs,
      streamId: options.streamId,
    });
    this.random = new SeededRandom(options.seed ^ 0x5eed);
  }

  /** The next event; `eventTimeMs` overrides the generator's event time (live phases). */
  next(ingestedAtMs: number, eventTimeMs?: number): BenchEvent {
    const item: SyntheticItem = this.generator.next();
    const createdUtc = eventTimeMs === undefined ? item.createdUtc : Math.floor(eventTimeMs / 1000);
    const unpadded: RedditEvent = {
      ...item,
      schemaVersion: EVENT_SCHEMA_VERSION,
      createdUtc,
      ingestedUtc: ingestedAtMs / 1000,
    };
    if (unpadded.body === null || unpadded.body === '') {
      return { event: unpadded, json: JSON.stringify(unpadded) };
    }
    const target = Math.round(this.options.meanJsonBytes * (0.5 + this.random.next()));
    const base = JSON.stringify(unpadded).length;
    const body = this.pad(unpadded.body, unpadded.subreddit, target - base);
    const event: RedditEvent = { ...unpadded, body };
    return { event, json: JSON.stringify(event) };
  }

  /** Appends paragraphs while each one brings the body closer to `extraChars` more JSON characters. */
  private pad(body: string, subreddit: string, extraChars: number): string {
    let out = body;
    let added = 0;
    for (;;) {
      const paragraph = this.paragraph(subreddit);
      const size = paragraph.length + 4; // "\n\n" is four characters once JSON-escaped
      if (added + size / 2 > extraChars) return out;
      out += `\n\n${paragraph}`;
      added += size;
    }
  }

  private paragraph(subreddit: string): string {
    const r = this.random;
    const topic = r.pick(TOPICS);
    const other = r.pick(TOPICS);
    switch (r.int(0, 7)) {
      case 0:
        return `${r.pick(OPENERS)} I ${r.pick(POSITIVE_PHRASES)} ${topic}, and ${r.pick(OBSERVATIONS)}.`;
      case 1:
        return `${r.pick(OPENERS)} ${topic} is ${r.pick(NEGATIVE_PHRASES)} compared to ${other}. ${r.pick(NEUTRAL_FILLERS)}`;
      case 2:
        return `> ${r.pick(OBSERVATIONS)}\n\nThis. Also ${topic} was ${r.pick(POSITIVE_PHRASES)} until ${other} happened.`;
      case 3:
        return `There is a good write-up [here](https://${r.pick(LINK_DOMAINS)}/${topic.replace(/[^a-z0-9]+/g, '-')}) if anyone wants the details on ${topic}.`;
      case 4:
        return `Somebody in r/${subreddit} said ${r.pick(OBSERVATIONS)}, but I think ${other} is ${r.pick(NEGATIVE_PHRASES)} and ${topic} is ${r.pick(POSITIVE_PHRASES)}.`;
      case 5:
        return `Has anyone compared ${topic} with ${other}? ${r.pick(NEUTRAL_FILLERS)} ${r.pick(OPENERS)} ${r.pick(OBSERVATIONS)}.`;
      case 6:
        return `My first impression of ${topic}: ${r.pick(NEGATIVE_PHRASES)}. A few weeks later: ${r.pick(POSITIVE_PHRASES)}. Also ${r.pick(OBSERVATIONS)}, so take it with a grain of salt.`;
      default:
        return `TL;DR: ${topic} ${r.chance(0.5) ? 'is worth it' : 'is not worth it'}, ${r.pick(OBSERVATIONS)}.`;
    }
  }
}

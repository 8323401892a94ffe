import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type RedditEvent } from '@app/events/reddit-event';
import { normaliseRedditItem } from '@app/ingest/domain/reddit-normaliser';

const CASSETTES = resolve(__dirname, '../../../shared/data/reddit/cassettes');

interface ListingChild {
  readonly kind?: string;
  readonly data?: Record<string, unknown>;
}

/** Every item of every listing in the recorded Reddit responses. */
function recordedListingChildren(): ListingChild[] {
  const children: ListingChild[] = [];
  for (const file of readdirSync(CASSETTES)) {
    const cassette = JSON.parse(readFileSync(join(CASSETTES, file), 'utf8')) as {
      interactions: { response: { body: { string?: string } } }[];
    };
    for (const interaction of cassette.interactions) {
      let listing: unknown;
      try {
        listing = JSON.parse(interaction.response.body.string ?? '');
      } catch {
        continue;
      }
      children.push(
        ...((listing as { data?: { children?: ListingChild[] } })?.data?.children ?? []),
      );
    }
  }
  return children;
}

function textField(child: ListingChild, field: string): string | null {
  const value = child.data?.[field];
  return typeof value === 'string' ? value : null;
}

/** Comment bodies, self-texts and titles of every recorded Reddit listing. */
export function redditTexts(): string[] {
  return recordedListingChildren().flatMap((child) =>
    ['body', 'selftext', 'title']
      .map((field) => textField(child, field))
      .filter((text): text is string => text !== null && text !== ''),
  );
}

export interface RecordedEvent {
  readonly title: string | null;
  readonly body: string;
}

/**
 * The recorded items as the pipeline analyses them: a comment's body, a
 * submission's title with its self-text.
 */
export function recordedRedditEvents(): {
  comments: RecordedEvent[];
  submissions: RecordedEvent[];
} {
  const comments: RecordedEvent[] = [];
  const submissions: RecordedEvent[] = [];
  for (const child of recordedListingChildren()) {
    if (child.kind === 't1') comments.push({ title: null, body: textField(child, 'body') ?? '' });
    else if (child.kind === 't3') {
      submissions.push({
        title: textField(child, 'title'),
        body: textField(child, 'selftext') ?? '',
      });
    }
  }
  return { comments, submissions };
}

/** Recorded items as ingest normalises them, by kind (the templates of the realistic profile). */
export interface RecordedItems {
  readonly comments: readonly RedditEvent[];
  readonly selfPosts: readonly RedditEvent[];
  readonly linkPosts: readonly RedditEvent[];
}

/** Every distinct recorded comment and submission, normalised by the project's own normaliser. */
export function recordedRedditItems(): RecordedItems {
  const seen = new Set<string>();
  const comments: RedditEvent[] = [];
  const selfPosts: RedditEvent[] = [];
  const linkPosts: RedditEvent[] = [];
  for (const child of recordedListingChildren()) {
    const parsed = normaliseRedditItem(child.kind ?? null, child.data, {
      source: 'reddit',
      streamId: 'recorded',
      ingestedUtc: 0,
    });
    if (!parsed.ok || seen.has(parsed.value.fullname)) continue;
    seen.add(parsed.value.fullname);
    const event = parsed.value;
    if (event.kind === 'comment') comments.push(event);
    else if (child.data?.is_self === true) selfPosts.push(event);
    else linkPosts.push(event);
  }
  return { comments, selfPosts, linkPosts };
}

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const CASSETTES = resolve(__dirname, '../../../shared/data/reddit/cassettes');

/** Comment bodies, self-texts and titles of every recorded Reddit listing. */
export function redditTexts(): string[] {
  const texts: string[] = [];
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
      const children = (listing as { data?: { children?: { data?: Record<string, unknown> }[] } })
        ?.data?.children;
      for (const child of children ?? []) {
        for (const field of ['body', 'selftext', 'title']) {
          const value = child.data?.[field];
          if (typeof value === 'string' && value !== '') texts.push(value);
        }
      }
    }
  }
  return texts;
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
      const children = (
        listing as {
          data?: { children?: { kind?: string; data?: Record<string, unknown> }[] };
        }
      )?.data?.children;
      for (const child of children ?? []) {
        const text = (field: string): string | null => {
          const value = child.data?.[field];
          return typeof value === 'string' ? value : null;
        };
        if (child.kind === 't1') comments.push({ title: null, body: text('body') ?? '' });
        else if (child.kind === 't3') {
          submissions.push({ title: text('title'), body: text('selftext') ?? '' });
        }
      }
    }
  }
  return { comments, submissions };
}

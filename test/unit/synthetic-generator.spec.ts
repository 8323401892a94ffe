import { parseRedditEvent } from '@app/events/reddit-event';
import {
  type SyntheticOptions,
  SyntheticRedditGenerator,
} from '@app/ingest/sources/synthetic/synthetic-generator';

const options: SyntheticOptions = {
  seed: 42,
  subreddits: ['AskReddit', 'worldnews', 'programming'],
  kinds: ['submission', 'comment'],
  startTimeMs: Date.UTC(2025, 0, 1),
  eventIntervalMs: 250,
  streamId: 'test-stream',
};

describe('SyntheticRedditGenerator', () => {
  it('gives the same items for the same seed', () => {
    const a = new SyntheticRedditGenerator(options).take(500);
    const b = new SyntheticRedditGenerator(options).take(500);
    expect(b).toEqual(a);
  });

  it('gives different items for another seed', () => {
    const a = new SyntheticRedditGenerator(options).take(50);
    const b = new SyntheticRedditGenerator({ ...options, seed: 43 }).take(50);
    expect(b.map((item) => item.fullname)).not.toEqual(a.map((item) => item.fullname));
  });

  it('taking in chunks gives the same sequence as taking at once', () => {
    const whole = new SyntheticRedditGenerator(options).take(300);
    const chunked = new SyntheticRedditGenerator(options);
    const parts = [...chunked.take(7), ...chunked.take(193), ...chunked.take(100)];
    expect(parts).toEqual(whole);
  });

  it('produces valid, unique Reddit-shaped events in the requested subreddits', () => {
    const items = new SyntheticRedditGenerator(options).take(2000);
    const fullnames = new Set(items.map((item) => item.fullname));
    expect(fullnames.size).toBe(items.length);
    for (const item of items) {
      const parsed = parseRedditEvent({ ...item, ingestedUtc: 1 });
      expect(parsed).toEqual({ ok: true, value: expect.anything() });
      expect(['askreddit', 'worldnews', 'programming']).toContain(item.subreddit);
      expect(item.id).toMatch(/^[0-9a-z]+$/);
    }
    const kinds = new Set(items.map((item) => item.kind));
    expect(kinds).toEqual(new Set(['submission', 'comment']));
    // Comments hang under a submission of the same subreddit.
    const submissions = new Map(
      items.filter((i) => i.kind === 'submission').map((i) => [i.fullname, i.subreddit]),
    );
    for (const comment of items.filter((i) => i.kind === 'comment')) {
      expect(submissions.get(comment.linkId!)).toBe(comment.subreddit);
    }
  });

  it('spaces event times by the interval, in whole Unix seconds', () => {
    const items = new SyntheticRedditGenerator(options).take(9);
    expect(items.map((item) => item.createdUtc - items[0]!.createdUtc)).toEqual([
      0, 0, 0, 0, 1, 1, 1, 1, 2,
    ]);
    expect(items[0]!.createdUtc).toBe(Date.UTC(2025, 0, 1) / 1000);
  });

  it('produces only the requested kinds', () => {
    const comments = new SyntheticRedditGenerator({ ...options, kinds: ['comment'] }).take(100);
    expect(comments.every((item) => item.kind === 'comment')).toBe(true);
    const posts = new SyntheticRedditGenerator({ ...options, kinds: ['submission'] }).take(100);
    expect(posts.every((item) => item.kind === 'submission')).toBe(true);
  });

  it('writes text that carries sentiment words', () => {
    const items = new SyntheticRedditGenerator(options).take(200);
    const text = items.map((item) => `${item.title ?? ''} ${item.body ?? ''}`).join(' ');
    expect(text).toMatch(/love|great|awesome|fantastic/);
    expect(text).toMatch(/hate|terrible|awful|worst/);
  });
});

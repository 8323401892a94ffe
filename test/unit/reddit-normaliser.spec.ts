import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseRedditEvent } from '@app/events/reddit-event';
import { normaliseRedditItem } from '@app/ingest/domain/reddit-normaliser';

const CASSETTES = resolve(__dirname, '../../../shared/data/reddit/cassettes');
const context = { source: 'reddit' as const, streamId: 's1', ingestedUtc: 1_700_000_000.5 };

interface Thing {
  kind: string;
  data: Record<string, unknown>;
}

function children(cassette: string, interaction: number): Thing[] {
  const recording = JSON.parse(readFileSync(resolve(CASSETTES, cassette), 'utf8')) as {
    interactions: { response: { body: { string: string } } }[];
  };
  const body = recording.interactions[interaction]?.response.body.string ?? '';
  const listing = JSON.parse(body.replaceAll('<TEST_SUBREDDIT>', 'testsub')) as {
    data: { children: Thing[] };
  };
  return listing.data.children;
}

describe('normaliseRedditItem on recorded Reddit listings', () => {
  it('normalises every recorded submission of /r/askreddit/new', () => {
    const things = children('TestSubredditListings.test_new.json', 1);
    expect(things).toHaveLength(100);
    for (const thing of things) {
      const result = normaliseRedditItem(thing.kind, thing.data, context);
      if (!result.ok) throw new Error(result.reason);
      const event = result.value;
      expect(parseRedditEvent(event)).toEqual({ ok: true, value: event });
      expect(event).toMatchObject({
        kind: 'submission',
        fullname: thing.data.name,
        id: thing.data.id,
        subreddit: 'askreddit',
        title: thing.data.title,
        numComments: thing.data.num_comments,
        createdUtc: Math.floor(thing.data.created_utc as number),
        linkId: null,
        source: 'reddit',
        ingestedUtc: context.ingestedUtc,
      });
      expect(event.author).toBe(thing.data.author === '[deleted]' ? null : thing.data.author);
    }
  });

  it('normalises every recorded comment and keeps thread links', () => {
    const things = children('TestSubredditListings.test_comments.json', 1);
    expect(things).toHaveLength(100);
    for (const thing of things) {
      const result = normaliseRedditItem(thing.kind, thing.data, context);
      if (!result.ok) throw new Error(result.reason);
      expect(result.value).toMatchObject({
        kind: 'comment',
        fullname: thing.data.name,
        linkId: thing.data.link_id,
        parentId: thing.data.parent_id,
        title: null,
        numComments: null,
      });
    }
  });

  it('tells kinds apart without the thing wrapper, as in dump files', () => {
    const [comment] = children(
      'TestSubredditStreams.test_comments__with_continue_after_id.json',
      1,
    );
    const [submission] = children('TestSubredditStreams.test_submissions.json', 1);
    const c = normaliseRedditItem(null, comment?.data, context);
    const s = normaliseRedditItem(null, submission?.data, context);
    expect(c.ok && c.value.kind).toBe('comment');
    expect(c.ok && c.value.subreddit).toBe('testsub');
    expect(s.ok && s.value.kind).toBe('submission');
  });

  it('flags deleted and removed bodies instead of dropping them', () => {
    const [thing] = children('TestSubredditListings.test_comments.json', 1);
    const deleted = normaliseRedditItem(
      't1',
      { ...thing?.data, body: '[deleted]', author: '[deleted]' },
      context,
    );
    const removed = normaliseRedditItem('t1', { ...thing?.data, body: '[removed]' }, context);
    expect(deleted.ok && deleted.value).toMatchObject({
      body: null,
      bodyState: 'deleted',
      author: null,
    });
    expect(removed.ok && removed.value).toMatchObject({ body: null, bodyState: 'removed' });
    const [post] = children('TestSubredditListings.test_new.json', 1);
    const link = normaliseRedditItem('t3', { ...post?.data, selftext: '' }, context);
    expect(link.ok && link.value).toMatchObject({ body: '', bodyState: 'empty' });
  });

  it.each([
    [{ id: 'abc', subreddit: 'pics' }, 'created_utc'],
    [{ id: 'ABC!', subreddit: 'pics', created_utc: 1 }, 'id'],
    [{ id: 'abc', subreddit: 'no spaces', created_utc: 1, link_id: 't3_x' }, 'subreddit'],
    [{ id: 'abc', subreddit: 'pics', created_utc: 1, body: 'hi', title: undefined }, 'link_id'],
    [{ id: 'abc', name: 't1_xyz', subreddit: 'pics', created_utc: 1, link_id: 't3_q' }, 'name'],
  ])('rejects %j with a reason naming %s', (data, field) => {
    const result = normaliseRedditItem(null, data, context);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(field);
  });

  it('accepts created_utc as a numeric string, as some dumps carry it', () => {
    const [thing] = children('TestSubredditListings.test_comments.json', 1);
    const result = normaliseRedditItem(
      't1',
      { ...thing?.data, created_utc: '1467590000.0' },
      context,
    );
    expect(result.ok && result.value.createdUtc).toBe(1467590000);
  });
});

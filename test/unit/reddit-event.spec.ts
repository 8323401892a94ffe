import { parseRedditEvent, subredditKey } from '@app/events/reddit-event';

const valid = {
  schemaVersion: 1,
  kind: 'comment',
  id: 'h2x9k1q',
  fullname: 't1_h2x9k1q',
  subreddit: 'askreddit',
  author: null,
  title: null,
  body: null,
  bodyState: 'deleted',
  permalink: '/r/askreddit/comments/abc/_/h2x9k1q/',
  url: null,
  score: 3,
  numComments: null,
  over18: false,
  linkId: 't3_abc',
  parentId: 't3_abc',
  createdUtc: 1735689600,
  ingestedUtc: 1735689601.5,
  source: 'synthetic',
  streamId: 's1',
};

describe('parseRedditEvent', () => {
  it('accepts a valid event, deleted author and all', () => {
    expect(parseRedditEvent(valid)).toEqual({ ok: true, value: valid });
  });

  it.each([
    [null, 'not a JSON object'],
    [[], 'not a JSON object'],
    [{ ...valid, schemaVersion: 2 }, 'schemaVersion 2'],
    [{ ...valid, kind: 'vote' }, 'kind'],
    [{ ...valid, fullname: 't3_h2x9k1q' }, 'must start with t1_'],
    [{ ...valid, id: 'other' }, 'id must match'],
    [{ ...valid, subreddit: 'AskReddit' }, 'subreddit'],
    [{ ...valid, author: 7 }, 'author'],
    [{ ...valid, score: 'high' }, 'score'],
    [{ ...valid, createdUtc: -5 }, 'createdUtc'],
    [{ ...valid, source: 'carrier-pigeon' }, 'source'],
  ])('rejects %j naming the problem', (input, reason) => {
    const result = parseRedditEvent(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});

describe('subredditKey', () => {
  it('lower-cases and strips an r/ prefix', () => {
    expect(subredditKey('AskReddit')).toBe('askreddit');
    expect(subredditKey('r/WorldNews')).toBe('worldnews');
    expect(subredditKey('/r/pics')).toBe('pics');
  });
});

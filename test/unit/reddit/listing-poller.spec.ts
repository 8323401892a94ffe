import { ManualClock } from '@app/common/clock';
import {
  BoundedFullnameSet,
  type ListingChild,
  ListingPoller,
  type ListingPollerOptions,
  parseListing,
} from '@app/ingest/sources/reddit/listing-poller';
import { CASSETTES, fullnamesOf, listingBodies } from '../../support/fake-reddit/cassettes';
import { T0 } from './helpers';

function children(body: string): readonly ListingChild[] {
  const parsed = parseListing(body);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.children;
}

const EMPTY = JSON.stringify({
  kind: 'Listing',
  data: { after: null, before: null, children: [] },
});

function setup(options: Partial<ListingPollerOptions> = {}) {
  const clock = new ManualClock(T0);
  const poller = new ListingPoller({
    path: '/r/testsub/comments',
    clock,
    random: () => 0,
    ...options,
  });
  /** One poll: what was asked, what came back new (fullnames, oldest first). */
  const poll = (body: string) => {
    const request = poller.nextRequest();
    const items = poller.accept(request, children(body));
    return { request, names: items.map((item) => item.fullname), items };
  };
  return { clock, poller, poll };
}

describe('parseListing', () => {
  it('reads the children of a recorded Listing with their fullnames', () => {
    const [page] = listingBodies(CASSETTES.streamCommentsWithPause, 'comments');
    const parsed = parseListing(page ?? '');
    expect(parsed.ok && parsed.children.map((c) => c.fullname)).toEqual(fullnamesOf(page ?? ''));
    expect(parsed.ok && parsed.children[0]?.kind).toBe('t1');
  });

  it('explains what is not a Listing', () => {
    expect(parseListing('<html>Ow! Reddit is under heavy load</html>')).toEqual({
      ok: false,
      reason: 'the response is not JSON',
    });
    expect(parseListing('{"kind":"t5","data":{}}')).toMatchObject({ ok: false });
    expect(parseListing('{"kind":"Listing","data":{}}')).toMatchObject({ ok: false });
  });

  it('derives the fullname from kind and id when name is missing', () => {
    const parsed = parseListing(
      JSON.stringify({
        kind: 'Listing',
        data: { children: [{ kind: 't1', data: { id: 'abc' } }, {}] },
      }),
    );
    expect(parsed.ok && parsed.children.map((c) => c.fullname)).toEqual(['t1_abc', null]);
  });
});

describe('BoundedFullnameSet', () => {
  it('forgets the oldest insertions beyond its capacity', () => {
    const set = new BoundedFullnameSet(3);
    for (const name of ['t1_a', 't1_b', 't1_c', 't1_b', 't1_d']) set.add(name);
    expect(set.values()).toEqual(['t1_b', 't1_c', 't1_d']);
    expect(set.has('t1_a')).toBe(false);
    expect(set.size).toBe(3);
  });
});

describe('ListingPoller on the recorded streams', () => {
  it('starts without a cursor, asks for 100, and returns a first page oldest first', () => {
    const [first] = listingBodies(CASSETTES.streamCommentsContinueAfterId, 'comments');
    const { poll, poller } = setup();
    const { request, names } = poll(first ?? '');
    expect(request).toEqual({ path: '/r/testsub/comments', query: { limit: 100 } });
    expect(names).toEqual([...fullnamesOf(first ?? '')].reverse());
    expect(poller.cursor).toBe('t1_k3yrfii');
  });

  it('drops the items a `before` poll repeats (continue_after_id cassette)', () => {
    const [first, second] = listingBodies(CASSETTES.streamCommentsContinueAfterId, 'comments');
    expect(fullnamesOf(second ?? '')).toHaveLength(95);
    const { poll, poller } = setup();
    poll(first ?? '');
    const again = poll(second ?? '');
    expect(again.request.query).toEqual({ limit: 100, before: 't1_k3yrfii' });
    expect(again.names).toEqual([]);
    expect(poller.cursor).toBe('t1_k3yrfii');
  });

  it('keeps Reddit listing order, not id order, and uses the first listed item as cursor', () => {
    const [first, second] = listingBodies(CASSETTES.streamSubmissions, 'new');
    const listed = fullnamesOf(first ?? '');
    // The recording lists t3_5jo120 after t3_5jo11z, although its id is larger.
    expect(listed.indexOf('t3_5jo120')).toBe(listed.indexOf('t3_5jo11z') + 1);
    const { poll, poller } = setup({ path: '/r/testsub/new' });
    expect(poll(first ?? '').names).toEqual([...listed].reverse());
    expect(poller.cursor).toBe('t3_5jo13y');
    const next = poll(second ?? '');
    // The recorded second request of this stream was exactly before=t3_5jo13y.
    expect(next.request.query).toEqual({ limit: 100, before: 't3_5jo13y' });
    expect(next.names).toEqual(['t3_5jo140', 't3_5jo141', 't3_5jo143', 't3_5jo144']);
    expect(poller.cursor).toBe('t3_5jo144');
  });

  it('polls once without `before` after three empty polls with it (with_pause cassette)', () => {
    const [first, emptyPoll, third] = listingBodies(CASSETTES.streamCommentsWithPause, 'comments');
    const { poll, poller } = setup({ path: '/r/kakapo/comments' });
    expect(poll(first ?? '').names).toHaveLength(16);
    // The recording's own empty page, then two more like it.
    for (let i = 0; i < 3; i++) {
      expect(poll(emptyPoll ?? '').request.query).toEqual({ limit: 100, before: 't1_dgauydy' });
    }
    const recovery = poll(third ?? '');
    expect(recovery.request.query).toEqual({ limit: 100 });
    // 17 listed, 16 seen before: only the new comment comes out.
    expect(recovery.names).toEqual(['t1_dgd9bcm']);
    expect(poller.cursor).toBe('t1_dgd9bcm');
    expect(poller.nextRequest().query).toEqual({ limit: 100, before: 't1_dgd9bcm' });
  });

  it('goes back to `before` polls when the cursor-less poll brings nothing new', () => {
    const [first] = listingBodies(CASSETTES.streamCommentsWithPause, 'comments');
    const { poll } = setup({ cursorlessAfterEmptyPolls: 2 });
    poll(first ?? '');
    poll(EMPTY);
    poll(EMPTY);
    const cursorless = poll(first ?? '');
    expect(cursorless.request.query.before).toBeUndefined();
    expect(cursorless.names).toEqual([]);
    expect(poll(EMPTY).request.query.before).toBe('t1_dgauydy');
  });

  it('backs off 1, 2, 4, 8, 16, 16 s after empty polls and resets when items arrive', () => {
    const [first, emptyPoll, third] = listingBodies(CASSETTES.streamCommentsWithPause, 'comments');
    const { poll, poller, clock } = setup();
    poll(first ?? '');
    expect(poller.dueAtMs).toBe(clock.now());
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      poll(emptyPoll ?? '');
      delays.push(poller.dueAtMs - clock.now());
      clock.set(poller.dueAtMs);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 16_000]);
    expect(poller.emptyStreak).toBe(6);
    // The cursor-less recovery poll found something new: poll again right away.
    poll(third ?? '');
    expect(poller.emptyStreak).toBe(0);
    expect(poller.dueAtMs).toBe(clock.now());
    poll(emptyPoll ?? '');
    expect(poller.dueAtMs - clock.now()).toBe(1000);
  });

  it('jitters the empty-poll wait by at most 20 %', () => {
    const { poll, poller, clock } = setup({ random: () => 0.999 });
    poll(EMPTY);
    const wait = poller.dueAtMs - clock.now();
    expect(wait).toBeGreaterThanOrEqual(800);
    expect(wait).toBeLessThanOrEqual(1000);
  });

  it('resumes from a cursor and the fullnames already published', () => {
    const [first, second] = listingBodies(CASSETTES.streamCommentsContinueAfterId, 'comments');
    const published = fullnamesOf(first ?? '').slice(0, 40);
    const { poll } = setup({ resume: { cursor: 't1_k3v0jp3', seen: published } });
    const resumed = poll(second ?? '');
    expect(resumed.request.query).toEqual({ limit: 100, before: 't1_k3v0jp3' });
    expect(resumed.names).toEqual(
      fullnamesOf(second ?? '')
        .slice(40)
        .reverse(),
    );
  });

  it('tells, per item, which cursor resumes right after it', () => {
    const page = JSON.stringify({
      kind: 'Listing',
      data: {
        children: ['t1_c', 't1_b', 't1_a'].map((name) => ({
          kind: 't1',
          data: { name, id: name.slice(3) },
        })),
      },
    });
    const { poller } = setup({ resume: { seen: ['t1_c'] } });
    const items = poller.accept(poller.nextRequest(), children(page));
    // t1_c was published before; once t1_b is out, everything up to t1_c is.
    expect(items.map((item) => [item.fullname, item.cursorAfter])).toEqual([
      ['t1_a', 't1_a'],
      ['t1_b', 't1_c'],
    ]);
  });

  it('backs off after a failed poll without moving the cursor', () => {
    const { poller, clock } = setup({ resume: { cursor: 't1_x' } });
    poller.failed();
    expect(poller.dueAtMs - clock.now()).toBe(1000);
    expect(poller.nextRequest().query).toEqual({ limit: 100, before: 't1_x' });
  });
});

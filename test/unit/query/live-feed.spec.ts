import { formatPosition, LiveFeed, parsePosition } from '@app/query/live/live-feed';
import { NewestVersions } from '@app/query/live/newest-versions';

interface Got {
  readonly ids: string[];
  readonly values: string[];
  readonly gaps: number[][];
}

function client(feed: LiveFeed<string>, from: string | null, wants = (_v: string) => true) {
  const got: Got = { ids: [], values: [], gaps: [] };
  const stop = feed.subscribe(
    {
      wants,
      send: (id, value) => {
        got.ids.push(id);
        got.values.push(value);
      },
      gap: (partitions) => got.gaps.push([...partitions]),
    },
    from,
  );
  return { got, stop };
}

describe('LiveFeed', () => {
  it('sends what is published after a client connects, with its position as the id', () => {
    const feed = new LiveFeed<string>(100);
    feed.publish(0, 10n, 'before');
    const { got } = client(feed, null);
    feed.publish(1, 5n, 'b');
    feed.publish(0, 11n, 'a');
    expect(got.values).toEqual(['b', 'a']);
    expect(got.ids).toEqual(['0-b.1-6', '0-c.1-6']);
    expect(got.gaps).toEqual([]);
  });

  it('resumes after the last id on another instance that read the same topic, without repeats', () => {
    const a = new LiveFeed<string>(100);
    const b = new LiveFeed<string>(100);
    const records: [number, bigint, string][] = [
      [0, 0n, 'p0-0'],
      [1, 0n, 'p1-0'],
      [0, 1n, 'p0-1'],
      [1, 1n, 'p1-1'],
      [0, 2n, 'p0-2'],
    ];
    const first = client(a, null);
    for (const [p, o, v] of records.slice(0, 3)) a.publish(p, o, v);
    first.stop();
    // Instance b read the records in another interleaving.
    for (const i of [1, 0, 3, 2, 4]) {
      const [p, o, v] = records[i] ?? [0, 0n, ''];
      b.publish(p, o, v);
    }
    const second = client(b, first.got.ids.at(-1) ?? null);
    expect(first.got.values).toEqual(['p0-0', 'p1-0', 'p0-1']);
    expect(second.got.values.sort()).toEqual(['p0-2', 'p1-1']);
    expect(second.got.gaps).toEqual([]);
  });

  it('reports a gap for the partitions whose missed records are no longer kept', () => {
    const feed = new LiveFeed<string>(3);
    const early = client(feed, null);
    feed.publish(0, 0n, 'x0');
    early.stop();
    for (let o = 1n; o <= 5n; o++) feed.publish(0, o, `x${o}`);
    feed.publish(1, 0n, 'y0');
    const late = client(feed, early.got.ids[0] ?? null);
    expect(late.got.gaps).toEqual([[0]]);
    // What is still kept is sent, oldest first.
    expect(late.got.values).toEqual(['x4', 'x5', 'y0']);
    expect(feed.size).toBe(3);
  });

  it('reports a gap to a client resuming from before where this instance began reading', () => {
    const feed = new LiveFeed<string>(100);
    // Partition 0 is read from offset 10 on; nothing has arrived yet.
    feed.begin(0, 10n);
    const behind = client(feed, formatPosition(new Map([[0, 5n]])));
    const current = client(feed, formatPosition(new Map([[0, 10n]])));
    expect(behind.got.gaps).toEqual([[0]]);
    expect(current.got.gaps).toEqual([]);
    // Partitions this instance has not begun yet are judged when it does.
    const early = client(
      feed,
      formatPosition(
        new Map([
          [0, 10n],
          [1, 3n],
        ]),
      ),
    );
    const exact = client(
      feed,
      formatPosition(
        new Map([
          [0, 10n],
          [1, 7n],
        ]),
      ),
    );
    feed.begin(1, 7n);
    feed.publish(1, 7n, 'y7');
    expect(early.got.gaps).toEqual([[1]]);
    expect(exact.got.gaps).toEqual([]);
    expect(exact.got.values).toEqual(['y7']);
    // Beginning again (a restarted tail) changes nothing: the feed goes on from what it read.
    feed.begin(1, 50n);
    expect(feed.nextOffset(1)).toBe(8n);
    expect(feed.nextOffset(2)).toBeUndefined();
  });

  it('puts every partition the feed has begun in a new client ids, so another instance can check them', () => {
    const feed = new LiveFeed<string>(100);
    feed.begin(0, 4n);
    feed.begin(1, 9n);
    const { got } = client(feed, null);
    feed.publish(0, 4n, 'a');
    expect(parsePosition(got.ids[0] ?? '')).toEqual(
      new Map([
        [0, 5n],
        [1, 9n],
      ]),
    );
  });

  it('advances a filtered client past what it does not want, so a reconnect does not re-scan it', () => {
    const feed = new LiveFeed<string>(100);
    const { got } = client(feed, null, (v) => v.startsWith('keep'));
    feed.publish(0, 0n, 'skip');
    feed.publish(0, 1n, 'keep');
    feed.publish(0, 2n, 'skip');
    expect(got.values).toEqual(['keep']);
    expect(parsePosition(got.ids[0] ?? '')).toEqual(new Map([[0, 2n]]));
  });

  it('moves past a record it passes over: not sent, and a resume starts after it', () => {
    const feed = new LiveFeed<string>(100);
    const { got } = client(feed, null);
    feed.publish(0, 1n, 'a');
    feed.pass(0, 2n);
    feed.publish(0, 3n, 'c');
    expect(got.values).toEqual(['a', 'c']);
    expect(feed.nextOffset(0)).toBe(4n);
    const resumed = client(feed, got.ids[0] ?? null);
    expect(resumed.got.values).toEqual(['c']);
  });

  it('ignores records read again after a rebalance of its own group', () => {
    const feed = new LiveFeed<string>(100);
    const { got } = client(feed, null);
    feed.publish(0, 0n, 'a');
    feed.publish(0, 0n, 'a');
    expect(got.values).toEqual(['a']);
  });

  it('round-trips positions and refuses ids that are not positions', () => {
    const position = new Map([
      [2, 123_456_789_012n],
      [0, 0n],
    ]);
    expect(parsePosition(formatPosition(position))).toEqual(position);
    expect(parsePosition('not-an-id')).toBeNull();
    expect(parsePosition('')).toBeNull();
  });
});

describe('NewestVersions', () => {
  it('admits a window only at or above the newest version seen, and forgets the least recently updated', () => {
    const versions = new NewestVersions(2);
    expect(versions.admit('a', 10)).toBe(true);
    expect(versions.admit('a', 12)).toBe(true);
    // A server that lost the partition publishes its older row late.
    expect(versions.admit('a', 11)).toBe(false);
    expect(versions.admit('a', 12)).toBe(true);
    expect(versions.admit('b', 5)).toBe(true);
    expect(versions.admit('a', 13)).toBe(true);
    // 'b' is now the least recently updated: a third window pushes it out.
    expect(versions.admit('c', 1)).toBe(true);
    expect(versions.admit('a', 12)).toBe(false);
    expect(versions.admit('b', 1)).toBe(true);
  });
});

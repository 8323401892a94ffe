import { keptPosts, parsePostsPolicy, POSTS_POLICY } from '@app/common/posts-policy';

const posts = Array.from({ length: 20_000 }, (_, i) => ({
  fullname: `t1_${(i * 7919).toString(36)}`,
}));

describe('posts policy', () => {
  it('reads all, none and sample:<fraction>, and refuses anything else', () => {
    expect(parsePostsPolicy('all')).toEqual({ keep: 'all' });
    expect(parsePostsPolicy('none')).toEqual({ keep: 'none' });
    expect(parsePostsPolicy('sample:0.1')).toEqual({ keep: 'sample', fraction: 0.1 });
    expect(parsePostsPolicy('sample:.25')).toEqual({ keep: 'sample', fraction: 0.25 });
    for (const bad of [
      'sample:0',
      'sample:1',
      'sample:1.5',
      'sample:',
      'some',
      'ALL',
      'sample:-0.1',
    ]) {
      expect(POSTS_POLICY.test(bad)).toBe(false);
      expect(() => parsePostsPolicy(bad)).toThrow(RangeError);
    }
  });

  it('samples by fullname: the same posts every time, about the fraction asked for', () => {
    const policy = parsePostsPolicy('sample:0.1');
    const first = keptPosts(policy, posts);
    expect(first.length / posts.length).toBeGreaterThan(0.09);
    expect(first.length / posts.length).toBeLessThan(0.11);
    // A replay in another order keeps the same ones.
    const again = keptPosts(policy, [...posts].reverse());
    expect(new Set(again.map((p) => p.fullname))).toEqual(new Set(first.map((p) => p.fullname)));
    // A larger fraction keeps a superset.
    const more = new Set(keptPosts(parsePostsPolicy('sample:0.5'), posts).map((p) => p.fullname));
    expect(first.every((p) => more.has(p.fullname))).toBe(true);
    expect(keptPosts({ keep: 'all' }, posts)).toBe(posts);
    expect(keptPosts({ keep: 'none' }, posts)).toEqual([]);
  });
});

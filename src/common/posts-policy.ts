/**
 * Which posts a store keeps: every one (the default), none (windows only),
 * or a sample. The sample is a function of the fullname alone, so a replay
 * after a crash writes the same posts, and both stores set to the same
 * fraction keep the same ones.
 */
export type PostsPolicy =
  | { readonly keep: 'all' }
  | { readonly keep: 'none' }
  | { readonly keep: 'sample'; readonly fraction: number };

/** "all", "none" or "sample:<fraction>" with 0 < fraction < 1, e.g. "sample:0.1". */
export const POSTS_POLICY = /^(all|none|sample:0?\.\d*[1-9]\d*)$/;

export function parsePostsPolicy(text: string): PostsPolicy {
  if (text === 'all' || text === 'none') return { keep: text };
  const match = /^sample:(0?\.\d+)$/.exec(text);
  const fraction = match ? Number(match[1]) : Number.NaN;
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`not a posts policy: ${text}`);
  return { keep: 'sample', fraction };
}

/** The posts `policy` keeps, in their order. */
export function keptPosts<T extends { readonly fullname: string }>(
  policy: PostsPolicy,
  posts: readonly T[],
): readonly T[] {
  switch (policy.keep) {
    case 'all':
      return posts;
    case 'none':
      return [];
    case 'sample': {
      const threshold = policy.fraction * 2 ** 32;
      return posts.filter((post) => fnv1a(post.fullname) < threshold);
    }
  }
}

/** 32-bit FNV-1a: cheap, and evenly spread over Reddit's base36 ids. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

import { keptPosts, parsePostsPolicy } from '@app/common/posts-policy';
import { type AppConfig } from '@app/config';
import {
  type DeadLetterSink,
  type LateEventSink,
  type TrendMinutePublisher,
  type TrendPublisher,
  type WindowPublisher,
} from '@app/kafka/ports';
import { MetricsService } from '@app/metrics/metrics.service';
import {
  type PostStore,
  type TrendStore,
  type Warehouse,
  type WindowStore,
} from '@app/storage/ports';
import { type PostRecord } from '@app/storage/records';
import { OutputWriter } from '@app/streaming/output-writer';

function post(i: number): PostRecord {
  return {
    subreddit: 'askreddit',
    fullname: `t1_${(i * 104_729).toString(36)}`,
    kind: 'comment',
    createdAtMs: 0,
    author: null,
    title: null,
    body: 'text',
    permalink: '/r/askreddit/comments/x/_/y/',
    url: null,
    score: 1,
    numComments: null,
    over18: false,
    linkId: 't3_x',
    parentId: 't3_x',
    sentimentScore: null,
    sentimentLabel: null,
    sentimentModel: null,
    bodyState: 'present',
    ingestedAtMs: 0,
    source: 'synthetic',
    streamId: 's',
  };
}

describe('OutputWriter and the posts policies', () => {
  it('gives each store the posts its policy keeps, and counts what each got', async () => {
    const cassandra: string[] = [];
    const warehouse: string[] = [];
    const posts = {
      upsertPosts: (p: readonly PostRecord[]) => void cassandra.push(...p.map((x) => x.fullname)),
    };
    const loads = {
      loadPosts: (p: readonly PostRecord[]) => void warehouse.push(...p.map((x) => x.fullname)),
    };
    const resolved = <T extends object>(target: T) =>
      new Proxy(target, {
        get: (object, name) =>
          name in object
            ? (...args: unknown[]) => {
                (object as Record<string | symbol, (...a: unknown[]) => unknown>)[name]?.(...args);
                return Promise.resolve();
              }
            : () => Promise.resolve(),
      });
    const metrics = new MetricsService();
    const config = {
      cassandra: { posts: parsePostsPolicy('none') },
      warehouse: { posts: parsePostsPolicy('sample:0.5') },
    } as unknown as AppConfig;
    const writer = new OutputWriter(
      resolved(posts) as unknown as PostStore,
      resolved({}) as unknown as WindowStore,
      resolved(loads) as unknown as Warehouse,
      resolved({}) as unknown as WindowPublisher,
      resolved({}) as unknown as TrendStore,
      resolved({}) as unknown as TrendPublisher,
      resolved({}) as unknown as TrendMinutePublisher,
      resolved({}) as unknown as LateEventSink,
      resolved({}) as unknown as DeadLetterSink,
      metrics,
      config,
    );
    const all = Array.from({ length: 400 }, (_, i) => post(i));
    writer.recordWritten(await writer.write([], { posts: all, late: [], deadLetters: [] }), 0);
    expect(cassandra).toEqual([]);
    const sampled = keptPosts({ keep: 'sample', fraction: 0.5 }, all).map((p) => p.fullname);
    expect(warehouse).toEqual(sampled);
    expect(sampled.length).toBeGreaterThan(150);
    expect(sampled.length).toBeLessThan(250);
    const text = await metrics.registry.metrics();
    expect(text).toContain(`reddit_posts_written_total{store="warehouse"} ${sampled.length}`);
    expect(text).not.toContain('reddit_posts_written_total{store="cassandra"}');
  });
});

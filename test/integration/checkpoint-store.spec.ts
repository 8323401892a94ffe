import { type Client } from 'cassandra-driver';
import { CassandraSession } from '@app/storage/cassandra/cassandra-session';
import { CassandraWindowCheckpointStore } from '@app/storage/cassandra/cassandra-window-checkpoint.store';
import { DIRECT_WRITE_CHARS } from '@app/storage/cassandra/checkpoint-redo';
import { CheckpointFencedError } from '@app/storage/ports';
import {
  CLAIMED_KINDS,
  type CheckpointWrite,
  type PartitionRef,
  type StateItem,
} from '@app/storage/records';
import { dropNamespace } from '../support/cleanup';
import { testNamespace } from '../support/environment';

/**
 * The checkpoint store on the real Cassandra, with writes far over one
 * request's limit (a flush that closes windows of thousands of subreddits):
 * they land whole or not at all, also when the writer dies half way.
 */
describe('Cassandra checkpoint store: writes bigger than one request', () => {
  const namespace = testNamespace();
  const session = new CassandraSession(namespace.config);
  const table = `${namespace.config.cassandra.keyspace}.streaming_state`;
  let partition = 0;
  const nextRef = (): PartitionRef => ({
    group: 'g',
    topic: 'events',
    partition: partition++,
  });

  beforeAll(async () => {
    await session.onModuleInit();
  }, 120_000);

  afterAll(async () => {
    await session.onApplicationShutdown();
    await dropNamespace(namespace.config);
  });

  /** A store whose client throws instead of sending the request `kill` picks, as a writer killed there would. */
  const storeKilledAt = (
    kill: 'commit' | 'first batch applied',
  ): CassandraWindowCheckpointStore => {
    const client = new Proxy(session.client, {
      get(target, property, receiver) {
        if (property === 'execute' && kill === 'commit') {
          return (...args: Parameters<Client['execute']>) =>
            String(args[0]).includes('pending_redo = ?')
              ? Promise.reject(new Error('writer killed'))
              : target.execute(...args);
        }
        if (property === 'batch' && kill === 'first batch applied') {
          return () => Promise.reject(new Error('writer killed'));
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    return new CassandraWindowCheckpointStore(
      { client } as unknown as CassandraSession,
      namespace.config,
    );
  };
  const store = new CassandraWindowCheckpointStore(session, namespace.config);

  /** About 24 MiB of window state, several times Cassandra's 16 MiB request limit. */
  const bigWrite = (epoch: number, tag: string): CheckpointWrite => ({
    epoch,
    nextOffset: '5000',
    maxEventTimeMs: 1_700_000_000_000,
    upserts: [
      ...Array.from({ length: 6000 }, (_, i) => ({
        kind: 'window' as const,
        key: `sub${i}|1m|${tag}`,
        data: JSON.stringify({ tag, i, pad: 'é'.repeat(2000) }),
      })),
      ...Array.from({ length: 100 }, (_, i) => ({
        kind: 'closed-window' as const,
        key: `2025-0${1 + (i % 2)}-x${i}`,
        data: 'closed',
      })),
    ],
    deletes: [{ kind: 'window', key: 'old-window' }],
    purges: [{ kind: 'closed-window', beforeKey: '2025-02' }],
  });

  const seed = async (ref: PartitionRef): Promise<number> => {
    const { epoch } = await store.claim(ref, 'seed');
    await store.save(ref, {
      epoch,
      nextOffset: '100',
      maxEventTimeMs: 1,
      upserts: [
        { kind: 'window', key: 'old-window', data: 'old' },
        { kind: 'window', key: 'sub0|1m|before', data: 'before' },
        { kind: 'closed-window', key: '2025-01-old', data: 'closed' },
      ],
      deletes: [],
    });
    return epoch;
  };

  const everything = async (ref: PartitionRef): Promise<Map<string, string>> => {
    const items = new Map<string, string>();
    for (const kind of [...CLAIMED_KINDS, 'closed-window' as const]) {
      for (const item of await store.readItems(ref, kind))
        items.set(`${kind}/${item.key}`, item.data);
    }
    return items;
  };
  const expected = (before: Map<string, string>, write: CheckpointWrite): Map<string, string> => {
    const after = new Map(before);
    for (const item of write.deletes) after.delete(`${item.kind}/${item.key}`);
    for (const purge of write.purges ?? []) {
      for (const key of [...after.keys()]) {
        const [kind, ...rest] = key.split('/');
        if (kind === purge.kind && rest.join('/') < purge.beforeKey) after.delete(key);
      }
    }
    for (const item of write.upserts as StateItem[]) {
      const purged = (write.purges ?? []).some(
        (p) => p.kind === item.kind && item.key < p.beforeKey,
      );
      if (!purged) after.set(`${item.kind}/${item.key}`, item.data);
    }
    return after;
  };
  const stagedRows = async (ref: PartitionRef): Promise<number> => {
    const result = await session.client.execute(
      `SELECT count(*) AS n FROM ${table}
       WHERE consumer_group = ? AND topic = ? AND kafka_partition = ? AND item_kind = 'redo'`,
      [ref.group, ref.topic, ref.partition],
      { prepare: true },
    );
    return Number(result.first().get('n'));
  };

  it('saves a write over the request limit whole, and a claim reads it back', async () => {
    const ref = nextRef();
    await seed(ref);
    const before = await everything(ref);
    const { epoch } = await store.claim(ref, 'writer');
    const write = bigWrite(epoch, 'a');
    expect(Buffer.byteLength(JSON.stringify(write))).toBeGreaterThan(16 * 1024 * 1024);
    expect(JSON.stringify(write).length).toBeGreaterThan(DIRECT_WRITE_CHARS);
    await store.save(ref, write);
    const claimed = await store.claim(ref, 'reader');
    expect(claimed.nextOffset).toBe('5000');
    expect(claimed.maxEventTimeMs).toBe(1_700_000_000_000);
    expect(await everything(ref)).toEqual(expected(before, write));
    expect(await stagedRows(ref)).toBe(0);
  }, 120_000);

  it('a writer killed after the commit: the next claim finishes its write', async () => {
    const ref = nextRef();
    await seed(ref);
    const before = await everything(ref);
    const { epoch } = await store.claim(ref, 'writer');
    const write = bigWrite(epoch, 'b');
    await expect(storeKilledAt('first batch applied').save(ref, write)).rejects.toThrow(
      'writer killed',
    );
    const claimed = await store.claim(ref, 'next owner');
    expect(claimed.nextOffset).toBe('5000');
    const items = new Map(claimed.items.map((i) => [`${i.kind}/${i.key}`, i.data]));
    const want = expected(before, write);
    for (const [key, data] of want)
      if (!key.startsWith('closed-window/')) expect(items.get(key)).toBe(data);
    expect(items.size).toBe([...want.keys()].filter((k) => !k.startsWith('closed-window/')).length);
    expect(await everything(ref)).toEqual(want);
    expect(await stagedRows(ref)).toBe(0);
  }, 120_000);

  it('a writer killed before the commit: the state stays as it was, and later writes clean up', async () => {
    const ref = nextRef();
    await seed(ref);
    const before = await everything(ref);
    const { epoch } = await store.claim(ref, 'writer');
    await expect(storeKilledAt('commit').save(ref, bigWrite(epoch, 'c'))).rejects.toThrow(
      'writer killed',
    );
    const claimed = await store.claim(ref, 'next owner');
    expect(claimed.nextOffset).toBe('100');
    expect(await everything(ref)).toEqual(before);
    expect(await stagedRows(ref)).toBeGreaterThan(0);

    const write = bigWrite(claimed.epoch, 'd');
    await store.save(ref, write);
    expect(await everything(ref)).toEqual(expected(before, write));
    expect(await stagedRows(ref)).toBe(0);
  }, 120_000);

  it('a fenced-out writer changes nothing, big write or not', async () => {
    const ref = nextRef();
    const stale = await seed(ref);
    await store.claim(ref, 'new owner');
    const before = await everything(ref);
    await expect(store.save(ref, bigWrite(stale, 'e'))).rejects.toBeInstanceOf(
      CheckpointFencedError,
    );
    expect(await everything(ref)).toEqual(before);
    expect((await store.claim(ref, 'check')).nextOffset).toBe('100');
  }, 120_000);
});

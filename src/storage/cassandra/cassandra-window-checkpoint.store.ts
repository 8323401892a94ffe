import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { types } from 'cassandra-driver';
import { AppConfig } from '@app/config';
import { CheckpointFencedError, WindowCheckpointStore } from '../ports';
import {
  CLAIMED_KINDS,
  type CheckpointWrite,
  type PartitionCheckpoint,
  type PartitionRef,
  type StateItem,
} from '../records';
import { CassandraSession } from './cassandra-session';
import {
  DIRECT_WRITE_CHARS,
  type PendingRedo,
  type RedoChunk,
  redoChunks,
  redoIdPrefix,
  redoRowKey,
  redoRowRange,
  writeChars,
} from './checkpoint-redo';
import { forEachConcurrently } from './partition-batches';
import { forEachRow } from './paged-rows';

const PAGE_SIZE = 500;
const CLAIM_ATTEMPTS = 10;
/** Staged redo rows: never read by a claim, only by the redo that names them. */
const REDO_KIND = 'redo';
const REDO_STAGING_CONCURRENCY = 2;

interface Statement {
  readonly query: string;
  readonly params: unknown[];
}
/**
 * A checkpoint is read right after another owner (or this one) saved it, and
 * the archive of closed windows right after the checkpoint that wrote it was
 * confirmed: with more than one replica, reads and writes at a quorum of
 * the local data centre always meet.
 */
const CONSISTENCY = types.consistencies.localQuorum;

/**
 * Streaming checkpoints in Cassandra, one Cassandra partition per Kafka partition.
 *
 * Why Cassandra and not a compacted Kafka changelog topic: the checkpoint must
 * be durable before the consumed offsets are committed, it must be fenced
 * against a consumer that lost the partition in a rebalance, and a restore
 * must read one partition's state, not a whole topic. A conditional
 * single-partition batch gives all three in one round trip: the window rows,
 * the counted fullnames, the watermark and the next offset change together or
 * not at all, and only while the writer's epoch is current. A changelog topic
 * would need Kafka transactions for the same guarantee, and a restore would
 * replay the changelog from its start. A write too big for one batch goes
 * through a redo log with the same guarantee (see checkpoint-redo.ts).
 */
@Injectable()
export class CassandraWindowCheckpointStore extends WindowCheckpointStore {
  private readonly table: string;
  /** Built once: a checkpoint can hold tens of thousands of item statements. */
  private readonly itemQueries: ReturnType<typeof itemQueries>;

  constructor(
    private readonly session: CassandraSession,
    config: AppConfig,
  ) {
    super();
    this.table = `${config.cassandra.keyspace}.streaming_state`;
    this.itemQueries = itemQueries(this.table);
  }

  async claim(ref: PartitionRef, owner: string): Promise<PartitionCheckpoint> {
    const key = [ref.group, ref.topic, ref.partition];
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const current = await this.session.client.execute(
        `SELECT epoch FROM ${this.table}
         WHERE consumer_group = ? AND topic = ? AND kafka_partition = ? LIMIT 1`,
        key,
        { prepare: true },
      );
      const row = current.first() as types.Row | null;
      const epoch = toNumber(row?.get('epoch'));
      const claimed =
        row === null || epoch === null
          ? await this.session.client.execute(
              `INSERT INTO ${this.table} (consumer_group, topic, kafka_partition, epoch, owner)
               VALUES (?, ?, ?, 1, ?) IF NOT EXISTS`,
              [...key, owner],
              { prepare: true },
            )
          : await this.session.client.execute(
              `UPDATE ${this.table} SET epoch = ?, owner = ?
               WHERE consumer_group = ? AND topic = ? AND kafka_partition = ? IF epoch = ?`,
              [types.Long.fromNumber(epoch + 1), owner, ...key, types.Long.fromNumber(epoch)],
              { prepare: true },
            );
      if (claimed.wasApplied()) return this.load(ref, (epoch ?? 0) + 1);
    }
    throw new Error(
      `could not claim streaming state of ${ref.topic}/${ref.partition} after ${CLAIM_ATTEMPTS} attempts`,
    );
  }

  async save(ref: PartitionRef, write: CheckpointWrite): Promise<void> {
    if (writeChars(write) > DIRECT_WRITE_CHARS) return this.saveThroughRedo(ref, write);
    const key = [ref.group, ref.topic, ref.partition];
    const queries: Statement[] = [
      {
        query: `UPDATE ${this.table} SET next_offset = ?, max_event_time = ?, updated_at = ?
          WHERE consumer_group = ? AND topic = ? AND kafka_partition = ? IF epoch = ?`,
        params: [
          write.nextOffset,
          write.maxEventTimeMs === null ? null : types.Long.fromNumber(write.maxEventTimeMs),
          new Date(),
          ...key,
          types.Long.fromNumber(write.epoch),
        ],
      },
    ];
    for (const item of write.upserts) queries.push(this.upsertItem(key, item));
    for (const item of write.deletes) queries.push(this.deleteItem(key, item));
    // One range tombstone per kind, in the same conditional single-partition batch.
    for (const purge of write.purges ?? []) queries.push(this.purgeItems(key, purge));
    const result = await this.session.client.batch(queries, {
      prepare: true,
      logged: true,
      consistency: CONSISTENCY,
    });
    if (!result.wasApplied()) throw new CheckpointFencedError(ref, write.epoch);
  }

  /** Stages the items, commits the offset naming them, then applies them (see checkpoint-redo.ts). */
  private async saveThroughRedo(ref: PartitionRef, write: CheckpointWrite): Promise<void> {
    const key = [ref.group, ref.topic, ref.partition];
    const chunks = redoChunks(write);
    const pending: PendingRedo = {
      id: `${redoIdPrefix(write.epoch)}${randomUUID()}`,
      chunks: chunks.length,
      purges: write.purges ?? [],
    };
    // Unconditional: staged rows are inert until a fenced commit names them.
    await forEachConcurrently(
      chunks.map((chunk, index) => ({ chunk, index })),
      REDO_STAGING_CONCURRENCY,
      ({ chunk, index }) => {
        const staged = this.upsertItem(key, {
          kind: REDO_KIND,
          key: redoRowKey(pending.id, index),
          data: JSON.stringify(chunk),
        });
        return this.session.client.execute(staged.query, staged.params, {
          prepare: true,
          consistency: CONSISTENCY,
        });
      },
    );
    const committed = await this.session.client.execute(
      `UPDATE ${this.table}
       SET next_offset = ?, max_event_time = ?, updated_at = ?, pending_redo = ?
       WHERE consumer_group = ? AND topic = ? AND kafka_partition = ? IF epoch = ?`,
      [
        write.nextOffset,
        write.maxEventTimeMs === null ? null : types.Long.fromNumber(write.maxEventTimeMs),
        new Date(),
        JSON.stringify(pending),
        ...key,
        types.Long.fromNumber(write.epoch),
      ],
      { prepare: true, consistency: CONSISTENCY },
    );
    if (!committed.wasApplied()) throw new CheckpointFencedError(ref, write.epoch);
    await this.applyRedo(ref, write.epoch, pending, chunks);
  }

  /**
   * Applies a committed redo and clears it, each batch fenced by `epoch`: a
   * consumer that lost the partition must not apply its redo over the state
   * of the one that claimed it (which applied that redo when it claimed).
   */
  private async applyRedo(
    ref: PartitionRef,
    epoch: number,
    pending: PendingRedo,
    chunks: readonly RedoChunk[],
  ): Promise<void> {
    const key = [ref.group, ref.topic, ref.partition];
    const range = redoRowRange(pending.id);
    const fence = {
      query: `UPDATE ${this.table} SET updated_at = ?
        WHERE consumer_group = ? AND topic = ? AND kafka_partition = ? IF epoch = ?`,
      params: [new Date(), ...key, types.Long.fromNumber(epoch)],
    };
    const steps = chunks.map((chunk) => [
      fence,
      ...chunk.upserts.map((item) => this.upsertItem(key, item)),
      ...chunk.deletes.map((item) => this.deleteItem(key, item)),
    ]);
    steps.push([
      {
        query: `UPDATE ${this.table} SET pending_redo = null
          WHERE consumer_group = ? AND topic = ? AND kafka_partition = ? IF epoch = ?`,
        params: [...key, types.Long.fromNumber(epoch)],
      },
      ...pending.purges.map((purge) => this.purgeItems(key, purge)),
      // This redo's rows, and any that fenced-out owners staged but never committed.
      // Not every staged row: a later owner's rows must never be shadowed by
      // this tombstone, whatever the clocks of the two servers say.
      {
        query: `DELETE FROM ${this.table}
          WHERE consumer_group = ? AND topic = ? AND kafka_partition = ? AND item_kind = ?
          AND item_key >= ? AND item_key < ?`,
        params: [...key, REDO_KIND, range.from, range.to],
      },
      {
        query: `DELETE FROM ${this.table}
          WHERE consumer_group = ? AND topic = ? AND kafka_partition = ? AND item_kind = ?
          AND item_key < ?`,
        params: [...key, REDO_KIND, redoIdPrefix(epoch)],
      },
    ]);
    for (const queries of steps) {
      const result = await this.session.client.batch(queries, {
        prepare: true,
        logged: true,
        consistency: CONSISTENCY,
      });
      if (!result.wasApplied()) throw new CheckpointFencedError(ref, epoch);
    }
  }

  /** Applies the redo a claimed partition's last owner committed but did not finish. */
  private async finishPendingRedo(ref: PartitionRef, epoch: number, text: string): Promise<void> {
    const pending = JSON.parse(text) as PendingRedo;
    const range = redoRowRange(pending.id);
    const rows = await this.readPages(ref, REDO_KIND, 'AND item_key >= ? AND item_key < ?', [
      range.from,
      range.to,
    ]);
    if (rows.length !== pending.chunks) {
      throw new Error(
        `streaming state of ${ref.topic}/${ref.partition}: committed redo ${pending.id} has ` +
          `${rows.length} of its ${pending.chunks} staged rows`,
      );
    }
    // Read in key order, which is chunk order.
    const chunks = rows.map((row) => JSON.parse(row.data) as RedoChunk);
    await this.applyRedo(ref, epoch, pending, chunks);
  }

  private upsertItem(key: unknown[], item: { kind: string; key: string; data: string }): Statement {
    return {
      query: this.itemQueries.upsert,
      params: [...key, item.kind, item.key, item.data],
    };
  }

  private deleteItem(key: unknown[], item: { kind: string; key: string }): Statement {
    return {
      query: this.itemQueries.delete,
      params: [...key, item.kind, item.key],
    };
  }

  private purgeItems(key: unknown[], purge: { kind: string; beforeKey: string }): Statement {
    return {
      query: this.itemQueries.purge,
      params: [...key, purge.kind, purge.beforeKey],
    };
  }

  readItems(ref: PartitionRef, kind: StateItem['kind']): Promise<StateItem[]> {
    return this.readPages(ref, kind, '', []);
  }

  readItemsByKey(
    ref: PartitionRef,
    kind: StateItem['kind'],
    keys: readonly string[],
  ): Promise<StateItem[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.readPages(ref, kind, 'AND item_key IN ?', [keys]);
  }

  readItemRange(
    ref: PartitionRef,
    kind: StateItem['kind'],
    fromKey: string,
    toKey: string,
  ): Promise<StateItem[]> {
    return this.readPages(ref, kind, 'AND item_key >= ? AND item_key < ?', [fromKey, toKey]);
  }

  private async readPages(
    ref: PartitionRef,
    kind: StateItem['kind'] | typeof REDO_KIND,
    where: string,
    params: unknown[],
  ): Promise<StateItem[]> {
    const items: StateItem[] = [];
    await forEachRow(
      this.session.client,
      `SELECT item_key, data FROM ${this.table}
       WHERE consumer_group = ? AND topic = ? AND kafka_partition = ? AND item_kind = ? ${where}`,
      [ref.group, ref.topic, ref.partition, kind, ...params],
      { prepare: true, fetchSize: PAGE_SIZE, consistency: CONSISTENCY },
      (row) => {
        const data = row.get('data') as string | null;
        if (data !== null)
          items.push({ kind: kind as StateItem['kind'], key: row.get('item_key') as string, data });
      },
    );
    return items;
  }

  /** The state a claim restores: each kind of it, not the archive of closed windows. */
  private async load(ref: PartitionRef, epoch: number): Promise<PartitionCheckpoint> {
    const head = await this.session.client.execute(
      `SELECT next_offset, max_event_time, pending_redo FROM ${this.table}
       WHERE consumer_group = ? AND topic = ? AND kafka_partition = ? LIMIT 1`,
      [ref.group, ref.topic, ref.partition],
      { prepare: true, consistency: CONSISTENCY },
    );
    const row = head.first() as types.Row | null;
    const pending = row?.get('pending_redo') as string | null | undefined;
    if (pending) await this.finishPendingRedo(ref, epoch, pending);
    const kinds = await Promise.all(CLAIMED_KINDS.map((kind) => this.readItems(ref, kind)));
    return {
      epoch,
      nextOffset: (row?.get('next_offset') as string | null | undefined) ?? null,
      maxEventTimeMs: toNumber(row?.get('max_event_time')),
      items: kinds.flat(),
    };
  }
}

function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof types.Long) return value.toNumber();
  return typeof value === 'number' ? value : Number(value);
}

function itemQueries(table: string) {
  const partition = 'consumer_group = ? AND topic = ? AND kafka_partition = ? AND item_kind = ?';
  return {
    upsert: `INSERT INTO ${table}
        (consumer_group, topic, kafka_partition, item_kind, item_key, data) VALUES (?, ?, ?, ?, ?, ?)`,
    delete: `DELETE FROM ${table} WHERE ${partition} AND item_key = ?`,
    purge: `DELETE FROM ${table} WHERE ${partition} AND item_key < ?`,
  } as const;
}

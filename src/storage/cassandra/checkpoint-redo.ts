import { type CheckpointWrite, type StateItem } from '../records';

/**
 * Checkpoint writes too big for one Cassandra request.
 *
 * A checkpoint is one conditional single-partition batch, so the state and
 * the offset it covers change together. Cassandra refuses a request over its
 * frame limit and a mutation over half a commit-log segment (16 MiB each by
 * default), and a flush over thousands of subreddits can close that many
 * windows at once. Such a write goes through a redo log instead: its items
 * are first staged as redo rows that nothing reads, then one small
 * conditional batch moves the offset and names the staged redo (the commit
 * point), then the items are applied in batches and the redo is cleared. A
 * crash before the commit leaves the previous checkpoint as it was (staged
 * rows are never named); a crash after it leaves a named redo that the next
 * claim applies before it reads the state. Upserts and deletes are
 * idempotent, so applying a redo twice is harmless.
 */

/** Writes up to this many characters of keys and data go in one batch, as before. */
export const DIRECT_WRITE_CHARS = 4 * 1024 * 1024;
/** Characters of keys and data per redo row and per batch that applies one. */
export const REDO_CHUNK_CHARS = 1024 * 1024;
/** Rough per-item cost of the statement around its key and data. */
const ITEM_OVERHEAD_CHARS = 64;

export type ItemRef = Pick<StateItem, 'kind' | 'key'>;

export interface RedoChunk {
  readonly upserts: readonly StateItem[];
  readonly deletes: readonly ItemRef[];
}

/** What the commit names: the staged rows to apply, and the range purges to apply after them. */
export interface PendingRedo {
  readonly id: string;
  readonly chunks: number;
  readonly purges: NonNullable<CheckpointWrite['purges']>;
}

/** The write's size in characters (UTF-16 units; JSON state is nearly all ASCII). */
export function writeChars(write: CheckpointWrite): number {
  let total = 0;
  for (const item of write.upserts)
    total += item.key.length + item.data.length + ITEM_OVERHEAD_CHARS;
  for (const item of write.deletes) total += item.key.length + ITEM_OVERHEAD_CHARS;
  return total;
}

/**
 * The write's items in chunks of about `maxChars`, with the outcome one batch
 * would have had: in a batch every statement shares one timestamp, and a
 * delete (or range purge) beats an upsert of the same row at the same
 * timestamp, so upserts of rows the write also deletes are dropped. Applied
 * in separate batches they would otherwise depend on order.
 */
export function redoChunks(write: CheckpointWrite, maxChars = REDO_CHUNK_CHARS): RedoChunk[] {
  const deleted = new Set(write.deletes.map(refKey));
  const purges = write.purges ?? [];
  const latest = new Map<string, StateItem>();
  for (const item of write.upserts) {
    if (deleted.has(refKey(item))) continue;
    if (purges.some((purge) => purge.kind === item.kind && item.key < purge.beforeKey)) continue;
    latest.set(refKey(item), item);
  }
  const chunks: RedoChunk[] = [];
  let upserts: StateItem[] = [];
  let deletes: ItemRef[] = [];
  let size = 0;
  const add = (chars: number): void => {
    if (size > 0 && size + chars > maxChars) {
      chunks.push({ upserts, deletes });
      upserts = [];
      deletes = [];
      size = 0;
    }
    size += chars;
  };
  for (const item of latest.values()) {
    add(item.key.length + item.data.length + ITEM_OVERHEAD_CHARS);
    upserts.push(item);
  }
  for (const item of write.deletes) {
    add(item.key.length + ITEM_OVERHEAD_CHARS);
    deletes.push({ kind: item.kind, key: item.key });
  }
  if (size > 0) chunks.push({ upserts, deletes });
  return chunks;
}

/** Redo ids start with the writer's epoch, padded so that ids sort by epoch. */
export function redoIdPrefix(epoch: number): string {
  return `${String(epoch).padStart(12, '0')}-`;
}

/** Redo rows sort by chunk number within their redo. */
export function redoRowKey(id: string, chunk: number): string {
  return `${id}.${String(chunk).padStart(6, '0')}`;
}

/** The key range [from, to) holding every row of one redo. */
export function redoRowRange(id: string): { from: string; to: string } {
  return { from: `${id}.`, to: `${id}/` };
}

const refKey = (item: ItemRef): string => `${item.kind}\u0000${item.key}`;

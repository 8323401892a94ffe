import { CheckpointFencedError, WindowCheckpointStore } from '@app/storage/ports';
import {
  CLAIMED_KINDS,
  type CheckpointWrite,
  type PartitionCheckpoint,
  type PartitionRef,
  type StateItem,
} from '@app/storage/records';

/**
 * One partition's checkpoint store in memory, with the Cassandra adapter's
 * contract: a claim fences out every earlier owner and reads the state kinds
 * only (not the archive of closed windows), a save applies upserts, deletes
 * and range purges at once, and items can be read by key or key range.
 */
export class MemoryCheckpointStore extends WindowCheckpointStore {
  epoch = 0;
  nextOffset: string | null = null;
  maxEventTimeMs: number | null = null;
  readonly items = new Map<string, StateItem>();

  /** Called after each save that landed. */
  constructor(private readonly onSave: (write: CheckpointWrite) => void = () => undefined) {
    super();
  }

  claim(): Promise<PartitionCheckpoint> {
    this.epoch++;
    return Promise.resolve({
      epoch: this.epoch,
      nextOffset: this.nextOffset,
      maxEventTimeMs: this.maxEventTimeMs,
      items: [...this.items.values()].filter((i) => CLAIMED_KINDS.includes(i.kind)),
    });
  }

  save(ref: PartitionRef, write: CheckpointWrite): Promise<void> {
    if (write.epoch !== this.epoch)
      return Promise.reject(new CheckpointFencedError(ref, write.epoch));
    for (const item of write.upserts) this.items.set(`${item.kind}/${item.key}`, item);
    for (const item of write.deletes) this.items.delete(`${item.kind}/${item.key}`);
    for (const purge of write.purges ?? []) {
      for (const [id, item] of this.items)
        if (item.kind === purge.kind && item.key < purge.beforeKey) this.items.delete(id);
    }
    this.nextOffset = write.nextOffset;
    this.maxEventTimeMs = write.maxEventTimeMs;
    this.onSave(write);
    return Promise.resolve();
  }

  readItems(_ref: PartitionRef, kind: StateItem['kind']): Promise<StateItem[]> {
    return Promise.resolve([...this.items.values()].filter((item) => item.kind === kind));
  }

  readItemsByKey(
    _ref: PartitionRef,
    kind: StateItem['kind'],
    keys: readonly string[],
  ): Promise<StateItem[]> {
    return Promise.resolve(keys.flatMap((key) => this.items.get(`${kind}/${key}`) ?? []));
  }

  readItemRange(
    _ref: PartitionRef,
    kind: StateItem['kind'],
    fromKey: string,
    toKey: string,
  ): Promise<StateItem[]> {
    return Promise.resolve(
      [...this.items.values()].filter((i) => i.kind === kind && i.key >= fromKey && i.key < toKey),
    );
  }

  /** Items of one kind held. */
  count(kind: StateItem['kind']): number {
    return [...this.items.values()].filter((i) => i.kind === kind).length;
  }
}

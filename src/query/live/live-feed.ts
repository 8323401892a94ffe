/**
 * A topic's recent records as a server-sent event feed: what this instance
 * read from every partition of the topic, the newest `capacity` of them kept
 * for clients that reconnect.
 *
 * An event's id is the client's position in the topic: for every partition,
 * the next offset it has been given (or shown and filtered out). Offsets are
 * the topic's own, the same on every instance, so a client can reconnect to
 * any instance with its Last-Event-ID and continue where it stopped: it gets
 * the buffered records at or after its position, and a `gap` notice for the
 * partitions whose records it missed beyond what the buffer still holds.
 */

export interface FeedSubscriber<T> {
  /** Whether the client wants this record. */
  readonly wants: (value: T) => boolean;
  readonly send: (id: string, value: T) => void;
  /** Records of these partitions were missed (older than the buffer, or before this instance started). */
  readonly gap: (partitions: readonly number[]) => void;
}

interface Entry<T> {
  readonly partition: number;
  readonly offset: bigint;
  readonly value: T;
}

interface Subscription<T> {
  readonly subscriber: FeedSubscriber<T>;
  readonly position: Map<number, bigint>;
  /** Partitions of a resumed position this feed had not begun yet: checked when it does. */
  readonly unchecked: Set<number>;
}

export class LiveFeed<T> {
  private entries: Entry<T>[] = [];
  private head = 0;
  /** Per partition: the next offset this feed expects. */
  private readonly next = new Map<number, bigint>();
  /** Per partition: the first offset the buffer still covers without a hole. */
  private readonly floor = new Map<number, bigint>();
  private readonly subscriptions = new Set<Subscription<T>>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.length - this.head;
  }

  get clients(): number {
    return this.subscriptions.size;
  }

  /** Where this feed goes on in `partition` (the next offset it expects), if it has begun it. */
  nextOffset(partition: number): bigint | undefined {
    return this.next.get(partition);
  }

  /**
   * The topic is read from `offset` on in `partition`: clients resuming
   * from before it missed records here. Once per partition (later calls
   * change nothing: the feed goes on from what it has read).
   */
  begin(partition: number, offset: bigint): void {
    if (this.next.has(partition)) return;
    this.next.set(partition, offset);
    this.floor.set(partition, offset);
    for (const subscription of this.subscriptions) {
      if (!subscription.unchecked.delete(partition)) continue;
      if ((subscription.position.get(partition) ?? 0n) < offset)
        subscription.subscriber.gap([partition]);
    }
  }

  /** A record read from the topic, in each partition's offset order. */
  publish(partition: number, offset: bigint, value: T): void {
    if (!this.pass(partition, offset)) return;
    const entry = { partition, offset, value };
    this.entries.push(entry);
    this.evict();
    for (const subscription of this.subscriptions) this.deliver(subscription, entry);
  }

  /**
   * Moves past a record without publishing it (LiveService's version check
   * uses it alone). False for a record read again after a rebalance.
   */
  pass(partition: number, offset: bigint): boolean {
    const expected = this.next.get(partition);
    if (expected !== undefined && offset < expected) return false;
    if (!this.floor.has(partition)) this.begin(partition, offset);
    this.next.set(partition, offset + 1n);
    return true;
  }

  /**
   * Follows the feed from `from` (a previous event's id), or from now.
   * Returns the function that ends the subscription.
   */
  subscribe(subscriber: FeedSubscriber<T>, from: string | null): () => void {
    const resumed = from === null ? null : parsePosition(from);
    const position = new Map(resumed ?? this.next);
    // Records this feed has not read yet cannot be told missed or not until it begins their partition.
    const unchecked = new Set([...(resumed?.keys() ?? [])].filter((p) => !this.floor.has(p)));
    const subscription = { subscriber, position, unchecked };
    if (resumed) {
      const missed = [...this.floor]
        .filter(([partition, floor]) => (resumed.get(partition) ?? 0n) < floor)
        .map(([partition]) => partition);
      if (missed.length > 0) subscriber.gap(missed.sort((a, b) => a - b));
      for (let i = this.head; i < this.entries.length; i++) {
        const entry = this.entries[i];
        if (entry) this.deliver(subscription, entry);
      }
    }
    this.subscriptions.add(subscription);
    return () => this.subscriptions.delete(subscription);
  }

  private deliver(subscription: Subscription<T>, entry: Entry<T>): void {
    const { position, subscriber } = subscription;
    if (entry.offset < (position.get(entry.partition) ?? 0n)) return;
    position.set(entry.partition, entry.offset + 1n);
    if (subscriber.wants(entry.value)) subscriber.send(formatPosition(position), entry.value);
  }

  private evict(): void {
    while (this.size > this.capacity) {
      const dropped = this.entries[this.head++];
      if (dropped) this.floor.set(dropped.partition, dropped.offset + 1n);
    }
    // Compact now and then rather than shifting on every record.
    if (this.head > this.capacity) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

/** "0-1z.1-a3" : partition and next offset (base 36) per partition. */
export function formatPosition(position: ReadonlyMap<number, bigint>): string {
  return [...position]
    .sort(([a], [b]) => a - b)
    .map(([partition, offset]) => `${partition}-${offset.toString(36)}`)
    .join('.');
}

/** The position in an event id, or null when it is not one of ours. */
export function parsePosition(text: string): Map<number, bigint> | null {
  if (!/^(\d{1,5}-[0-9a-z]{1,14})(\.\d{1,5}-[0-9a-z]{1,14}){0,1023}$/.test(text)) return null;
  const position = new Map<number, bigint>();
  for (const part of text.split('.')) {
    const [partition = '', offset = ''] = part.split('-');
    let value = 0n;
    for (const digit of offset) value = value * 36n + BigInt(parseInt(digit, 36));
    position.set(Number(partition), value);
  }
  return position;
}

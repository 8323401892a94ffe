/**
 * Groups rows by Cassandra partition into unlogged batches.
 *
 * A single-partition unlogged batch is applied as one mutation: one request,
 * one commit-log entry and one memtable update for all its rows, where one
 * INSERT per row costs a request each. It stays atomic and isolated within
 * the partition, and upserts keep it idempotent on replay.
 *
 * Cassandra's batch size thresholds apply only to batches spanning several
 * partitions, but one mutation must still fit in half a commit-log segment
 * (16 MiB by default) and a request in a native-protocol frame, so batches are
 * cut by an estimate of their size; a row bigger than the limit goes alone.
 *
 * All statements of a batch get one write timestamp, and Cassandra breaks
 * ties between two writes of one row by comparing values, not by order. So a
 * row written twice in one call keeps only its last version.
 */

export interface PartitionRow {
  /** Rows with the same key share a Cassandra partition. */
  readonly partitionKey: string;
  /** The full primary key; a later row with the same key replaces an earlier one. */
  readonly rowKey: string;
  readonly params: unknown[];
  /** Estimated size of the row's values in bytes. */
  readonly bytes: number;
}

export interface BatchLimits {
  readonly maxBatchBytes: number;
  readonly maxBatchRows: number;
}

/** Far below the mutation and frame limits, and small enough to spread over Cassandra's write threads. */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxBatchBytes: 512 * 1024, maxBatchRows: 250 };

/** Splits rows into batches, each holding rows of one partition, in first-seen order. */
export function partitionBatches<Row extends PartitionRow>(
  rows: readonly Row[],
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
): Row[][] {
  const latest = new Map<string, Row>();
  for (const row of rows) latest.set(row.rowKey, row);
  const byPartition = new Map<string, Row[][]>();
  const sizes = new Map<string, number>();
  for (const row of latest.values()) {
    let batches = byPartition.get(row.partitionKey);
    if (!batches) {
      batches = [[]];
      byPartition.set(row.partitionKey, batches);
      sizes.set(row.partitionKey, 0);
    }
    let current = batches[batches.length - 1] as Row[];
    const size = sizes.get(row.partitionKey) ?? 0;
    if (
      current.length > 0 &&
      (current.length >= limits.maxBatchRows || size + row.bytes > limits.maxBatchBytes)
    ) {
      current = [];
      batches.push(current);
      sizes.set(row.partitionKey, 0);
    }
    current.push(row);
    sizes.set(row.partitionKey, (sizes.get(row.partitionKey) ?? 0) + row.bytes);
  }
  return [...byPartition.values()].flat();
}

/** Runs `work` over items with at most `concurrency` in flight; rejects on the first failure. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** UTF-8 size of texts; nulls cost nothing. */
export function textBytes(...texts: readonly (string | null)[]): number {
  let total = 0;
  for (const text of texts) if (text) total += Buffer.byteLength(text, 'utf8');
  return total;
}

import { parsePostsPolicy } from '@app/common/posts-policy';
import { type AppConfig } from '@app/config';
import { MetricsService } from '@app/metrics/metrics.service';
import {
  type PostStore,
  type TrendStore,
  type Warehouse,
  type WindowStore,
} from '@app/storage/ports';
import { type WindowRecord } from '@app/storage/records';
import { OutputWriter, WINDOW_WRITE_CHUNK } from '@app/streaming/output-writer';

/** A window output that records its calls and lands each one when the test says so. */
class SlowOutput {
  readonly calls: number[][] = [];
  inFlight = 0;
  maxInFlight = 0;
  private pending: (() => void)[] = [];

  write(rows: readonly WindowRecord[]): Promise<void> {
    this.calls.push(rows.map((r) => (r as unknown as { n: number }).n));
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve) =>
      this.pending.push(() => {
        this.inFlight--;
        resolve();
      }),
    );
  }

  landAll(): void {
    const pending = this.pending;
    this.pending = [];
    for (const land of pending) land();
  }
}

const idle = () => Promise.resolve();

describe('OutputWriter and large flushes of window rows', () => {
  it('writes window rows a chunk at a time to every output, each chunk after the last landed', async () => {
    const cassandra = new SlowOutput();
    const kafka = new SlowOutput();
    const warehouse = new SlowOutput();
    const config = {
      cassandra: { posts: parsePostsPolicy('all') },
      warehouse: { posts: parsePostsPolicy('all') },
    } as unknown as AppConfig;
    const writer = new OutputWriter(
      { upsertPosts: idle } as unknown as PostStore,
      { upsertWindows: (rows: readonly WindowRecord[]) => cassandra.write(rows) } as WindowStore,
      {
        loadWindows: (rows: readonly WindowRecord[]) => warehouse.write(rows),
        loadPosts: idle,
        loadTrends: idle,
      } as unknown as Warehouse,
      { publish: (rows: readonly WindowRecord[]) => kafka.write(rows) },
      { upsertTrends: idle } as unknown as TrendStore,
      { publish: idle },
      { publish: idle },
      { send: idle },
      { send: idle },
      new MetricsService(),
      config,
    );
    const total = 2 * WINDOW_WRITE_CHUNK + 500;
    const windows = Array.from({ length: total }, (_, n) => ({ n }) as unknown as WindowRecord);
    let landed = false;
    const written = writer
      .write(windows, { posts: [], late: [], deadLetters: [] })
      .then(() => (landed = true));
    const outputs = [cassandra, kafka, warehouse];
    for (let chunk = 1; chunk <= 3; chunk++) {
      await new Promise((resolve) => setImmediate(resolve));
      // The three outputs write the same chunk together; the next waits for all three.
      for (const output of outputs) expect(output.calls).toHaveLength(chunk);
      expect(landed).toBe(false);
      for (const output of outputs) output.landAll();
    }
    await written;
    for (const output of outputs) {
      expect(output.maxInFlight).toBe(1);
      expect(output.calls.map((c) => c.length)).toEqual([
        WINDOW_WRITE_CHUNK,
        WINDOW_WRITE_CHUNK,
        500,
      ]);
      expect(output.calls.flat()).toEqual(windows.map((_, n) => n));
    }
  });
});

/**
 * Replay read throughput: lines/s of zstd decompression + line splitting, and
 * of the whole read + JSON.parse + normalise path of ReplaySource at 'max'
 * speed, on a generated .zst dump built from the recorded Reddit items.
 *
 *   npx ts-node -r tsconfig-paths/register --transpile-only bench/replay-read.bench.ts [lines]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemClock } from '@app/common/clock';
import { DumpReader } from '@app/ingest/sources/replay/dump-reader';
import { createReplaySource } from '@app/ingest/sources/replay/replay.source';
import { writeZstDump } from './support/generated-dump';

const LINES = Number(process.argv[2] ?? 200_000);

function report(label: string, lines: number, bytes: number, ms: number): void {
  const perSecond = Math.round((lines / ms) * 1000);
  const mbPerSecond = (bytes / 1024 / 1024 / (ms / 1000)).toFixed(1);
  console.log(
    `${label.padEnd(44)} ${lines} lines in ${ms.toFixed(0)} ms: ${perSecond.toLocaleString('en')} lines/s (${mbPerSecond} MiB/s decompressed)`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'replay-bench-'));
  try {
    const path = join(dir, 'RC_bench.zst');
    const generated = process.hrtime.bigint();
    const bytes = await writeZstDump(path, LINES);
    const genMs = Number(process.hrtime.bigint() - generated) / 1e6;
    console.log(
      `generated ${LINES} lines, ${(bytes / 1024 / 1024).toFixed(0)} MiB decompressed, ` +
        `${(statSync(path).size / 1024 / 1024).toFixed(1)} MiB .zst, in ${genMs.toFixed(0)} ms`,
    );

    let started = process.hrtime.bigint();
    const reader = await DumpReader.open(path);
    let lines = 0;
    for await (const line of reader) if (line.kind === 'line') lines++;
    report(
      'zstd + line split (DumpReader)',
      lines,
      bytes,
      Number(process.hrtime.bigint() - started) / 1e6,
    );

    started = process.hrtime.bigint();
    const source = createReplaySource({ path, streamId: 'bench', clock: new SystemClock() });
    const signal = new AbortController().signal;
    let events = 0;
    let rejects = 0;
    while (!source.exhausted) {
      const batch = await source.pull(500, signal);
      events += batch.events.length;
      rejects += batch.rejects.length;
    }
    await source.close();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (events !== LINES || rejects !== 0) {
      throw new Error(`expected ${LINES} events and no rejects, got ${events} and ${rejects}`);
    }
    report('read + JSON.parse + normalise (ReplaySource)', events, bytes, ms);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

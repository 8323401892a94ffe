import { spawn } from 'node:child_process';
import { loadRecordedItems } from '../../test/support/replay-dumps';

/** Streams generated lines straight into `zstd` (no plain copy on disk). */
export async function writeZstDump(path: string, lines: number): Promise<number> {
  const items = loadRecordedItems();
  const zstd = spawn('zstd', ['-q', '-f', '-3', '--long=27', '-o', path], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve, reject) => {
    zstd.once('error', reject);
    zstd.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`zstd exited with ${code}`)),
    );
  });
  let bytes = 0;
  const start = 1_700_000_000;
  for (let i = 0; i < lines; i++) {
    const item = items[i % items.length];
    if (!item) throw new Error('no recorded items');
    const id = (1_000_000_000 + i).toString(36);
    const line = `${JSON.stringify({
      ...item.data,
      id,
      name: `${item.kind}_${id}`,
      created_utc: start + Math.floor(i / 10),
      retrieved_on: start + 86_400,
    })}\n`;
    bytes += Buffer.byteLength(line);
    if (!zstd.stdin.write(line)) await new Promise((resolve) => zstd.stdin.once('drain', resolve));
  }
  zstd.stdin.end();
  await exited;
  return bytes;
}

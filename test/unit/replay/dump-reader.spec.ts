import { readdirSync, readlinkSync } from 'node:fs';
import { Readable } from 'node:stream';
import { type DumpLine, DumpReader } from '@app/ingest/sources/replay/dump-reader';
import { tempDir, writeDump } from '../../support/replay-dumps';

async function readAll(reader: DumpReader): Promise<DumpLine[]> {
  const lines: DumpLine[] = [];
  for await (const line of reader) lines.push(line);
  return lines;
}

function texts(lines: readonly DumpLine[]): [number, string][] {
  return lines.map((line) => [
    line.lineNumber,
    line.kind === 'line' ? line.text : `<${line.byteLength} bytes>`,
  ]);
}

/** File descriptors of this process that point at `path` (Linux). */
function openDescriptorsFor(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

describe('DumpReader', () => {
  const tmp = tempDir('dump-reader');
  afterAll(() => tmp.cleanup());

  // Multi-byte characters (2, 3 and 4 bytes), CRLF and LF mixed, blank and
  // whitespace-only lines, and a last line without a newline.
  const content = '{"a":"é"}\r\n\n{"b":"日本"}\n   \r\n\t\n{"c":"😀 ok"}\r\n\r\n{"d":4}';
  const expected: [number, string][] = [
    [1, '{"a":"é"}'],
    [3, '{"b":"日本"}'],
    [6, '{"c":"😀 ok"}'],
    [8, '{"d":4}'],
  ];

  it.each([1, 2, 3, 5, 7, 16, 65_536])(
    'numbers lines, skips blank ones and strips CR with %i-byte chunks',
    async (highWaterMark) => {
      const path = writeDump(tmp.dir, `mixed-${highWaterMark}.jsonl`, content);
      const reader = await DumpReader.open(path, { highWaterMark });
      expect(reader.compressed).toBe(false);
      expect(texts(await readAll(reader))).toEqual(expected);
    },
  );

  it('emits a final line that has no newline, and nothing for a trailing newline', async () => {
    const withNewline = writeDump(tmp.dir, 'final-newline.jsonl', 'one\ntwo\n');
    const without = writeDump(tmp.dir, 'final-no-newline.jsonl', 'one\ntwo');
    expect(texts(await readAll(await DumpReader.open(withNewline)))).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
    expect(texts(await readAll(await DumpReader.open(without)))).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
  });

  it('reads an empty file as no lines', async () => {
    const path = writeDump(tmp.dir, 'empty.jsonl', '');
    expect(await readAll(await DumpReader.open(path))).toEqual([]);
  });

  it('drops a UTF-8 byte-order mark at the start of the file', async () => {
    const path = writeDump(tmp.dir, 'bom.jsonl', '\uFEFF{"a":1}\n{"b":2}\n');
    expect(texts(await readAll(await DumpReader.open(path, { highWaterMark: 2 })))).toEqual([
      [1, '{"a":1}'],
      [2, '{"b":2}'],
    ]);
  });

  it.each([1, 3, 64])(
    'starts at a given line, keeping the numbering (%i-byte chunks)',
    async (hwm) => {
      const path = writeDump(tmp.dir, `start-${hwm}.jsonl`, content);
      for (const [startLine, from] of [
        [1, 0],
        [2, 1],
        [3, 1],
        [4, 2],
        [6, 2],
        [7, 3],
        [8, 3],
        [9, 4],
        [500, 4],
      ] as const) {
        const reader = await DumpReader.open(path, { startLine, highWaterMark: hwm });
        expect(texts(await readAll(reader))).toEqual(expected.slice(from));
      }
    },
  );

  it.each([1, 4, 10, 65_536])(
    'reports lines over maxLineBytes as too-long and carries on (%i-byte chunks)',
    async (highWaterMark) => {
      const long = `{"body":"${'é'.repeat(30)}"}`; // 71 bytes
      const text = `{"a":1}\n${long}\r\n{"b":2}\n${'y'.repeat(40)}\n{"c":3}\n${long}`;
      const path = writeDump(tmp.dir, `long-${highWaterMark}.jsonl`, text);
      const reader = await DumpReader.open(path, { maxLineBytes: 32, highWaterMark });
      const lines = await readAll(reader);
      expect(texts(lines)).toEqual([
        [1, '{"a":1}'],
        [2, `<${Buffer.byteLength(long)} bytes>`], // the CR is the terminator's, not the line's
        [3, '{"b":2}'],
        [4, '<40 bytes>'],
        [5, '{"c":3}'],
        [6, `<${Buffer.byteLength(long)} bytes>`],
      ]);
      const tooLong = lines.find((line) => line.lineNumber === 2);
      // The head of a too-long line is kept for the report, and only the head.
      expect(tooLong).toMatchObject({
        kind: 'too-long',
        head: expect.stringMatching(/^\{"body":"é/),
      });
      expect(tooLong?.kind === 'too-long' && Buffer.byteLength(tooLong.head)).toBeLessThanOrEqual(
        32,
      );
    },
  );

  it.each([1, 2, 9, 64])(
    'draws the line limit on content bytes, CR excluded (%i-byte chunks)',
    async (highWaterMark) => {
      const exact = 'a'.repeat(16);
      const over = 'b'.repeat(17);
      const text = `${exact}\r\n${over}\r\n${exact}\n${over}\n${exact}\r`;
      const path = writeDump(tmp.dir, `limit-${highWaterMark}.jsonl`, text);
      const lines = await readAll(await DumpReader.open(path, { maxLineBytes: 16, highWaterMark }));
      expect(texts(lines)).toEqual([
        [1, exact],
        [2, '<17 bytes>'],
        [3, exact],
        [4, '<17 bytes>'],
        [5, exact],
      ]);
    },
  );

  it('keeps at most headBytes of an over-long line however long it is', async () => {
    const path = writeDump(tmp.dir, 'huge.jsonl', `${'z'.repeat(3_000_000)}\n{"ok":1}\n`);
    const lines = await readAll(
      await DumpReader.open(path, { maxLineBytes: 1024, headBytes: 100 }),
    );
    expect(lines).toEqual([
      { kind: 'too-long', lineNumber: 1, head: 'z'.repeat(100), byteLength: 3_000_000 },
      { kind: 'line', lineNumber: 2, text: '{"ok":1}' },
    ]);
  });

  it('pulls from the stream only as the consumer asks (backpressure)', async () => {
    let produced = 0;
    const endless = new Readable({
      highWaterMark: 64,
      read() {
        produced++;
        this.push(Buffer.from(`{"n":${produced}}\n`));
      },
    });
    const reader = DumpReader.fromStream(endless);
    for (let i = 1; i <= 3; i++) {
      expect(await reader.next()).toEqual({ kind: 'line', lineNumber: i, text: `{"n":${i}}` });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const afterPause = produced;
    expect(afterPause).toBeLessThan(20); // a read-ahead of one buffer, not the whole (endless) input
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(produced).toBe(afterPause);
    await reader.close();
    expect(endless.destroyed).toBe(true);
  });

  it('close() releases the file, and later reads return null', async () => {
    const body = Array.from({ length: 50_000 }, (_, i) => `{"n":${i}}`).join('\n');
    const path = writeDump(tmp.dir, 'release.jsonl', body);
    const reader = await DumpReader.open(path, { highWaterMark: 1024 });
    expect(await reader.next()).toMatchObject({ lineNumber: 1 });
    expect(openDescriptorsFor(path)).toBe(1);
    await reader.close();
    expect(openDescriptorsFor(path)).toBe(0);
    expect(await reader.next()).toBeNull();
    await reader.close(); // idempotent
  });

  it('close() ends a read that is waiting for data', async () => {
    const silent = new Readable({ read() {} });
    const reader = DumpReader.fromStream(silent);
    const pending = reader.next();
    await reader.close();
    await expect(pending).resolves.toBeNull();
  });

  it('passes stream errors on to the caller', async () => {
    const broken = new Readable({
      read() {
        this.push(Buffer.from('{"a":1}\n{"b":'));
        this.destroy(new Error('disk on fire'));
      },
    });
    const reader = DumpReader.fromStream(broken);
    expect(await reader.next()).toMatchObject({ lineNumber: 1 });
    await expect(reader.next()).rejects.toThrow('disk on fire');
  });

  it('rejects nonsensical options', async () => {
    const path = writeDump(tmp.dir, 'opts.jsonl', '{}\n');
    await expect(DumpReader.open(path, { startLine: 0 })).rejects.toThrow(/startLine/);
    await expect(DumpReader.open(path, { maxLineBytes: -1 })).rejects.toThrow(/maxLineBytes/);
  });
});

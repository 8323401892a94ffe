import { createReadStream } from 'node:fs';
import { type Readable } from 'node:stream';
import { type DumpDecompressor, isZstdFile, ZstdCliDecompressor } from './dump-decompressor';

/** One non-blank line of a dump, numbered from 1 (blank lines keep their numbers). */
export type DumpLine =
  | { readonly kind: 'line'; readonly lineNumber: number; readonly text: string }
  | {
      readonly kind: 'too-long';
      readonly lineNumber: number;
      /** The first bytes of the line, decoded; the rest was discarded unread. */
      readonly head: string;
      /** The line's full length in bytes, without its terminator. */
      readonly byteLength: number;
    };

export interface DumpReaderOptions {
  /** First line to yield (1-based). Earlier lines are only counted, never decoded. */
  readonly startLine?: number;
  /** Longer lines are yielded as `too-long` instead of being buffered. */
  readonly maxLineBytes?: number;
  /** How much of a too-long line is kept for the report. */
  readonly headBytes?: number;
  /** Read chunk size (and read-ahead) in bytes. */
  readonly highWaterMark?: number;
}

export interface OpenDumpOptions extends DumpReaderOptions {
  readonly decompressor?: DumpDecompressor;
}

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
const DEFAULT_HEAD_BYTES = 4096;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** The longest prefix of `bytes` that does not end inside a UTF-8 sequence. */
function wholeCharacters(bytes: Buffer): Buffer {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.subarray(0, bytes.length - back) : bytes;
  }
  return bytes;
}

function isBlank(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== CARRIAGE_RETURN) return false;
  }
  return true;
}

/**
 * Splits a byte stream into numbered lines. Works on bytes, not strings, so a
 * multi-byte character split across chunks decodes correctly, and memory stays
 * bounded by `maxLineBytes` whatever the input.
 */
class LineSplitter {
  /** Number of the line being accumulated. */
  private lineNumber = 1;
  private parts: Buffer[] = [];
  private pendingBytes = 0;
  /** Set once the current line exceeds maxLineBytes: only its head is kept. */
  private overLongHead: Buffer | null = null;
  /** The last byte appended to the current line (to tell a CR terminator). */
  private lastByte = 0;

  constructor(
    private readonly startLine: number,
    private readonly maxLineBytes: number,
    private readonly headBytes: number,
  ) {}

  /** Lines whose terminator has been seen (skipped ones included). */
  get completedLines(): number {
    return this.lineNumber - 1;
  }

  feed(chunk: Buffer, out: DumpLine[]): void {
    let position = 0;
    while (position < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, position);
      if (this.lineNumber < this.startLine) {
        if (newline === -1) return;
        this.lineNumber++;
        position = newline + 1;
        continue;
      }
      const end = newline === -1 ? chunk.length : newline;
      if (newline !== -1 && this.pendingBytes === 0 && this.overLongHead === null) {
        // Fast path: the whole line is inside this chunk.
        this.emitBytes(chunk.subarray(position, end), out);
      } else {
        this.append(chunk, position, end);
        if (newline === -1) return;
        this.emitPending(out);
      }
      position = newline + 1;
    }
  }

  /** At end of input: the last line may have no terminator. */
  flush(out: DumpLine[]): void {
    if (this.pendingBytes > 0) this.emitPending(out);
  }

  private append(chunk: Buffer, start: number, end: number): void {
    const length = end - start;
    if (length === 0) return;
    this.lastByte = chunk[end - 1] ?? 0;
    if (this.overLongHead !== null) {
      if (this.overLongHead.length < this.headBytes) {
        const room = this.headBytes - this.overLongHead.length;
        this.overLongHead = Buffer.concat([
          this.overLongHead,
          chunk.subarray(start, start + Math.min(room, length)),
        ]);
      }
      this.pendingBytes += length;
      return;
    }
    this.parts.push(chunk.subarray(start, end));
    this.pendingBytes += length;
    if (this.pendingBytes > this.maxLineBytes + 1) {
      const joined = Buffer.concat(this.parts, this.pendingBytes);
      this.overLongHead = Buffer.from(joined.subarray(0, this.headBytes));
      this.parts = [];
    }
  }

  private emitPending(out: DumpLine[]): void {
    if (this.overLongHead !== null) {
      this.emitTooLong(this.overLongHead, this.pendingBytes, out);
    } else {
      const bytes =
        this.parts.length === 1 && this.parts[0] !== undefined
          ? this.parts[0]
          : Buffer.concat(this.parts, this.pendingBytes);
      this.emitBytes(bytes, out);
    }
    this.parts = [];
    this.pendingBytes = 0;
    this.overLongHead = null;
  }

  private emitBytes(raw: Buffer, out: DumpLine[]): void {
    const lineNumber = this.lineNumber++;
    // A CR before the newline is part of the terminator, not of the line.
    const length = raw[raw.length - 1] === CARRIAGE_RETURN ? raw.length - 1 : raw.length;
    if (length > this.maxLineBytes) {
      this.emitTooLongAt(lineNumber, raw.subarray(0, this.headBytes), length, out);
      return;
    }
    let bytes = raw.subarray(0, length);
    if (lineNumber === 1 && UTF8_BOM.every((byte, i) => bytes[i] === byte)) {
      bytes = bytes.subarray(UTF8_BOM.length);
    }
    if (isBlank(bytes)) return;
    out.push({ kind: 'line', lineNumber, text: bytes.toString('utf8') });
  }

  private emitTooLong(head: Buffer, byteLength: number, out: DumpLine[]): void {
    const length = this.lastByte === CARRIAGE_RETURN ? byteLength - 1 : byteLength;
    this.emitTooLongAt(this.lineNumber++, head, length, out);
  }

  private emitTooLongAt(lineNumber: number, head: Buffer, byteLength: number, out: DumpLine[]) {
    out.push({
      kind: 'too-long',
      lineNumber,
      head: wholeCharacters(head).toString('utf8'),
      byteLength,
    });
  }
}

/**
 * Reads a dump file line by line without ever holding it whole. Pull-based:
 * a chunk is read only when the lines already decoded have been taken, so a
 * consumer that stops pulling stops the reading (and, for `.zst` files, the
 * zstd process, blocked on its full pipe).
 */
export class DumpReader implements AsyncIterable<DumpLine> {
  private readonly splitter: LineSplitter;
  private readonly chunks: AsyncIterator<unknown>;
  private queue: DumpLine[] = [];
  private queueIndex = 0;
  private ended = false;
  private closed = false;

  private constructor(
    private readonly stream: Readable,
    /** Whether the file was Zstandard-compressed. */
    readonly compressed: boolean,
    settings: { startLine: number; maxLineBytes: number; headBytes: number },
  ) {
    this.splitter = new LineSplitter(settings.startLine, settings.maxLineBytes, settings.headBytes);
    this.chunks = stream[Symbol.asyncIterator]();
  }

  private static settings(options: DumpReaderOptions) {
    const startLine = options.startLine ?? 1;
    if (!Number.isSafeInteger(startLine) || startLine < 1) {
      throw new RangeError(`startLine must be a positive integer, got ${startLine}`);
    }
    const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${maxLineBytes}`);
    }
    const headBytes = Math.min(options.headBytes ?? DEFAULT_HEAD_BYTES, maxLineBytes);
    return { startLine, maxLineBytes, headBytes };
  }

  /** Opens a plain or Zstandard dump; compression is told by the magic number, not the name. */
  static async open(path: string, options: OpenDumpOptions = {}): Promise<DumpReader> {
    const settings = DumpReader.settings(options);
    const compressed = await isZstdFile(path);
    const highWaterMark = options.highWaterMark;
    const stream = compressed
      ? (options.decompressor ?? new ZstdCliDecompressor()).open(path, { highWaterMark })
      : createReadStream(path, highWaterMark === undefined ? {} : { highWaterMark });
    return new DumpReader(stream, compressed, settings);
  }

  /** Reads lines from any byte stream (for tests and non-file inputs). */
  static fromStream(stream: Readable, options: DumpReaderOptions = {}): DumpReader {
    return new DumpReader(stream, false, DumpReader.settings(options));
  }

  /** Lines read past so far, including skipped and blank ones. */
  get linesRead(): number {
    return this.splitter.completedLines;
  }

  /** The next non-blank line, or null at end of input (or once closed). */
  async next(): Promise<DumpLine | null> {
    for (;;) {
      if (this.closed) return null;
      const queued = this.queue[this.queueIndex];
      if (queued !== undefined) {
        this.queueIndex++;
        return queued;
      }
      if (this.ended) return null;
      this.queue = [];
      this.queueIndex = 0;
      let result: IteratorResult<unknown>;
      try {
        result = await this.chunks.next();
      } catch (error) {
        if (this.closed) return null;
        throw error;
      }
      if (result.done) {
        this.ended = true;
        this.splitter.flush(this.queue);
      } else {
        const chunk = result.value;
        this.splitter.feed(
          Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string),
          this.queue,
        );
      }
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<DumpLine, void, undefined> {
    try {
      for (let line = await this.next(); line !== null; line = await this.next()) yield line;
    } finally {
      await this.close();
    }
  }

  /** Stops reading: closes the file or kills the decompressor. Idempotent. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.queue = [];
    if (this.stream.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.stream.once('close', () => resolve());
      this.stream.destroy();
    });
  }
}

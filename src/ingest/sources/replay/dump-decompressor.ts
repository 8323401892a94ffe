import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { AppError } from '@app/common/app-error';

/** Zstandard frame magic number, as it appears at the start of a `.zst` file. */
export const ZSTD_MAGIC: readonly number[] = [0x28, 0xb5, 0x2f, 0xfd];

export function startsWithZstdMagic(head: Uint8Array): boolean {
  return ZSTD_MAGIC.every((byte, index) => head[index] === byte);
}

/** A decompressed byte stream; destroying it stops the decompressor and releases the file. */
export interface DecompressedStream extends Readable {
  /** The decompressing process, when there is one. */
  readonly pid?: number;
}

export interface DecompressOptions {
  /** Bytes buffered ahead of the consumer before the decompressor is paused. */
  readonly highWaterMark?: number;
}

/** Port: turns a compressed dump file into a stream of its decompressed bytes. */
export abstract class DumpDecompressor {
  /** Starts decompressing `path`. Errors (missing tool, corrupt file) surface on the stream. */
  abstract open(path: string, options?: DecompressOptions): DecompressedStream;
  /** Resolves when the decompressor can run here; rejects with an AppError naming what to install. */
  abstract ensureAvailable(): Promise<void>;
}

const STDERR_LIMIT = 2048;
const KILL_GRACE_MS = 2000;

function missingZstd(command: string): AppError {
  return new AppError(
    'DEPENDENCY_UNAVAILABLE',
    `cannot decompress .zst dumps: the "${command}" command was not found; install the Debian package "zstd" (apt-get install zstd)`,
    { dependency: 'zstd' },
  );
}

/**
 * Adapter: decompresses with the `zstd` command-line tool. Pushshift and Arctic
 * Shift dumps are written with a 2 GiB window (`--long=31`), which the pure-JS
 * decoders cannot handle, so the decoding runs in a child process whose stdout
 * is read with backpressure: while the consumer does not read, the pipe fills
 * and zstd blocks.
 */
export class ZstdCliDecompressor extends DumpDecompressor {
  private available: Promise<void> | null = null;

  constructor(private readonly command = 'zstd') {
    super();
  }

  open(path: string, options: DecompressOptions = {}): DecompressedStream {
    const child = spawn(
      this.command,
      ['-d', '-c', '-q', '--long=31', '--memory=2048MB', '--', path],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new ZstdOutput(child, this.command, options.highWaterMark);
  }

  ensureAvailable(): Promise<void> {
    this.available ??= new Promise<void>((resolve, reject) => {
      const child = spawn(this.command, ['--version'], { stdio: 'ignore' });
      child.once('error', (error: NodeJS.ErrnoException) => {
        reject(error.code === 'ENOENT' ? missingZstd(this.command) : error);
      });
      child.once('close', (code) => {
        if (code === 0) resolve();
        else reject(missingZstd(this.command));
      });
    }).catch((error: unknown) => {
      this.available = null; // let a later call see a freshly installed zstd
      throw error;
    });
    return this.available;
  }
}

/**
 * zstd's stdout as a Readable that ends only when zstd exits successfully: a
 * corrupt or truncated file becomes a stream error carrying zstd's message,
 * never a silently shortened dump. Destroying it kills the child.
 */
class ZstdOutput extends Readable implements DecompressedStream {
  readonly pid: number | undefined;
  private stderr = '';
  private readonly exited: Promise<void>;
  private hasExited = false;

  constructor(
    private readonly child: ChildProcessByStdio<null, Readable, Readable>,
    private readonly command: string,
    highWaterMark: number | undefined,
  ) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
    this.pid = child.pid;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    }).then(() => {
      this.hasExited = true;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (this.stderr.length < STDERR_LIMIT) this.stderr += text.slice(0, STDERR_LIMIT);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (this.destroyed) return;
      this.destroy(error.code === 'ENOENT' ? missingZstd(command) : error);
    });
    child.once('close', (code, signal) => {
      if (this.destroyed) return;
      if (code === 0) {
        this.push(null);
        return;
      }
      const why = this.stderr.trim() || (signal ? `killed by ${signal}` : `exit code ${code}`);
      this.destroy(new Error(`${this.command} could not decompress the dump: ${why}`));
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  /** Kills zstd if it still runs and reports destroyed only once it has exited. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.hasExited || this.child.exitCode !== null || this.child.signalCode !== null) {
      callback(error);
      return;
    }
    this.child.stdout.destroy();
    this.child.stderr.destroy();
    this.child.kill('SIGTERM');
    const escalate = setTimeout(() => this.child.kill('SIGKILL'), KILL_GRACE_MS);
    escalate.unref();
    void this.exited.then(() => {
      clearTimeout(escalate);
      callback(error);
    });
  }
}

/** True when the file starts with the Zstandard magic number, whatever its extension. */
export async function isZstdFile(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(ZSTD_MAGIC.length);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return bytesRead === head.length && startsWithZstdMagic(head);
  } finally {
    await file.close();
  }
}

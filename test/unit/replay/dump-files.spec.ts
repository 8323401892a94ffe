import { chmodSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '@app/common/app-error';
import {
  DumpDecompressor,
  ZstdCliDecompressor,
} from '@app/ingest/sources/replay/dump-decompressor';
import { inspectDump, resolveDumpPath } from '@app/ingest/sources/replay/dump-files';
import { tempDir } from '../../support/replay-dumps';

async function appError(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError, got success');
}

class AvailableDecompressor extends DumpDecompressor {
  checks = 0;
  open(): never {
    throw new Error('not used');
  }
  ensureAvailable(): Promise<void> {
    this.checks++;
    return Promise.resolve();
  }
}

describe('resolveDumpPath', () => {
  const tmp = tempDir('replay-paths');
  const root = realpathSync(tmp.dir);
  const replayDir = join(root, 'replay');
  const outside = join(root, 'outside');
  afterAll(() => tmp.cleanup());

  beforeAll(() => {
    mkdirSync(join(replayDir, 'sub'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(replayDir, 'RC_2024-01.zst'), 'x');
    writeFileSync(join(replayDir, 'sub', 'RS_2024-01.jsonl'), 'x');
    writeFileSync(join(outside, 'secret.jsonl'), 'x');
    symlinkSync(join(outside, 'secret.jsonl'), join(replayDir, 'escape.jsonl'));
    symlinkSync(outside, join(replayDir, 'escape-dir'));
    symlinkSync(join(replayDir, 'RC_2024-01.zst'), join(replayDir, 'alias.zst'));
    symlinkSync(join(replayDir, 'loop'), join(replayDir, 'loop'));
    // The configured directory may itself be reached through a symlink.
    symlinkSync(replayDir, join(root, 'replay-link'));
  });

  it('resolves names inside the directory, nested ones and inside symlinks included', async () => {
    await expect(resolveDumpPath(replayDir, 'RC_2024-01.zst')).resolves.toBe(
      join(replayDir, 'RC_2024-01.zst'),
    );
    await expect(resolveDumpPath(replayDir, 'sub/RS_2024-01.jsonl')).resolves.toBe(
      join(replayDir, 'sub', 'RS_2024-01.jsonl'),
    );
    await expect(resolveDumpPath(replayDir, 'sub/../RC_2024-01.zst')).resolves.toBe(
      join(replayDir, 'RC_2024-01.zst'),
    );
    await expect(resolveDumpPath(replayDir, 'alias.zst')).resolves.toBe(
      join(replayDir, 'RC_2024-01.zst'),
    );
    await expect(resolveDumpPath(replayDir, join(replayDir, 'RC_2024-01.zst'))).resolves.toBe(
      join(replayDir, 'RC_2024-01.zst'),
    );
    const linked = join(root, 'replay-link');
    await expect(resolveDumpPath(linked, 'RC_2024-01.zst')).resolves.toBe(
      join(replayDir, 'RC_2024-01.zst'),
    );
    await expect(resolveDumpPath(linked, join(linked, 'RC_2024-01.zst'))).resolves.toBe(
      join(replayDir, 'RC_2024-01.zst'),
    );
  });

  it.each([
    ['../outside/secret.jsonl', /outside the replay directory/],
    ['sub/../../outside/secret.jsonl', /outside the replay directory/],
    ['..', /outside the replay directory/],
    ['.', /outside the replay directory/],
    ['/etc/passwd', /outside the replay directory/],
    ['escape.jsonl', /through a symbolic link/],
    ['escape-dir/secret.jsonl', /through a symbolic link/],
    ['loop', /symbolic link loop/],
    ['', /must name a dump file/],
    ['a\0b', /NUL/],
  ])('rejects %j', async (requested, message) => {
    const error = await appError(resolveDumpPath(replayDir, requested));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(root); // never reveal where the directory is
  });

  it('rejects an absolute path outside the directory', async () => {
    const error = await appError(resolveDumpPath(replayDir, join(outside, 'secret.jsonl')));
    expect(error.code).toBe('INVALID_INPUT');
  });

  it('answers NOT_FOUND for a name that does not exist inside the directory', async () => {
    const error = await appError(resolveDumpPath(replayDir, 'RC_1999-01.zst'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('replay dump RC_1999-01.zst does not exist');
  });

  it('answers DEPENDENCY_UNAVAILABLE when the replay directory itself is missing', async () => {
    const error = await appError(resolveDumpPath(join(root, 'nope'), 'x.zst'));
    expect(error.code).toBe('DEPENDENCY_UNAVAILABLE');
  });
});

describe('inspectDump', () => {
  const tmp = tempDir('replay-inspect');
  afterAll(() => tmp.cleanup());

  it('answers NOT_FOUND, naming the file, when it does not exist', async () => {
    const error = await appError(inspectDump(join(tmp.dir, 'RC_2030-01.zst')));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('replay dump RC_2030-01.zst does not exist');
  });

  it('answers INVALID_INPUT for a directory', async () => {
    mkdirSync(join(tmp.dir, 'adir'));
    const error = await appError(inspectDump(join(tmp.dir, 'adir')));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/not a regular file/);
  });

  const runsAsRoot = process.getuid?.() === 0;
  (runsAsRoot ? it.skip : it)('answers INVALID_INPUT for a file it cannot read', async () => {
    const path = join(tmp.dir, 'locked.jsonl');
    writeFileSync(path, '{}\n');
    chmodSync(path, 0o000);
    const error = await appError(inspectDump(path));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/not readable/);
  });

  it('reports a plain file with its size, whatever its extension', async () => {
    const path = join(tmp.dir, 'plain.zst');
    writeFileSync(path, '{"a":1}\n');
    await expect(inspectDump(path)).resolves.toEqual({
      path,
      fileName: 'plain.zst',
      compressed: false,
      sizeBytes: 8,
    });
  });

  it('tells compression by the magic number and checks that zstd is available', async () => {
    const path = join(tmp.dir, 'compressed.jsonl');
    writeFileSync(path, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]));
    const decompressor = new AvailableDecompressor();
    await expect(inspectDump(path, { decompressor })).resolves.toMatchObject({
      compressed: true,
      sizeBytes: 6,
    });
    expect(decompressor.checks).toBe(1);
  });

  it('names the zstd package when a compressed dump cannot be decompressed here', async () => {
    const path = join(tmp.dir, 'compressed.zst');
    writeFileSync(path, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]));
    const decompressor = new ZstdCliDecompressor('zstd-not-installed-here');
    const error = await appError(inspectDump(path, { decompressor }));
    expect(error.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(error.message).toMatch(/install the Debian package "zstd"/);
  });
});

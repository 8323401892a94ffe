import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { AppError } from '@app/common/app-error';
import { type DumpDecompressor, isZstdFile, ZstdCliDecompressor } from './dump-decompressor';

export interface DumpInfo {
  /** Absolute path of the file. */
  readonly path: string;
  /** The file's base name, as used in reject positions ("line 12 of RC_2024-01.zst"). */
  readonly fileName: string;
  /** Zstandard-compressed (told by the magic number, not the extension). */
  readonly compressed: boolean;
  /** Size on disk (compressed size for .zst files). */
  readonly sizeBytes: number;
}

function errnoCode(error: unknown): string | undefined {
  // Duck-typed: fs errors are not always `instanceof Error` across realms (e.g. under Jest).
  const code =
    typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function isInside(directory: string, candidate: string): boolean {
  const rel = relative(directory, candidate);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Checks that a dump can be replayed before a stream is started: it exists, is
 * a readable regular file, and, when compressed, that zstd is installed.
 * Throws AppError: NOT_FOUND (missing), INVALID_INPUT (a directory, unreadable),
 * DEPENDENCY_UNAVAILABLE (a .zst dump but no zstd command).
 */
export async function inspectDump(
  path: string,
  options: { readonly decompressor?: DumpDecompressor } = {},
): Promise<DumpInfo> {
  const absolute = resolve(path);
  const fileName = basename(absolute);
  let size: number;
  try {
    const stats = await stat(absolute);
    if (!stats.isFile()) {
      throw new AppError('INVALID_INPUT', `replay dump ${fileName} is not a regular file`, {
        field: 'path',
      });
    }
    size = stats.size;
    await access(absolute, constants.R_OK);
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new AppError('NOT_FOUND', `replay dump ${fileName} does not exist`, { field: 'path' });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new AppError('INVALID_INPUT', `replay dump ${fileName} is not readable by the server`, {
        field: 'path',
      });
    }
    throw error;
  }
  const compressed = await isZstdFile(absolute);
  if (compressed) await (options.decompressor ?? new ZstdCliDecompressor()).ensureAvailable();
  return { path: absolute, fileName, compressed, sizeBytes: size };
}

/**
 * Resolves a dump name requested by a user inside the configured replay
 * directory and returns its real absolute path. Rejects (INVALID_INPUT) any
 * request that leaves the directory: `..` segments, absolute paths elsewhere,
 * and symbolic links whose target lies outside. A name that does not exist is
 * NOT_FOUND. Messages never reveal the directory itself.
 */
export async function resolveDumpPath(replayDir: string, requested: string): Promise<string> {
  if (typeof requested !== 'string' || requested.trim() === '') {
    throw new AppError('INVALID_INPUT', 'path must name a dump file in the replay directory', {
      field: 'path',
    });
  }
  if (requested.includes('\0')) {
    throw new AppError('INVALID_INPUT', 'path must not contain NUL characters', { field: 'path' });
  }
  const directory = resolve(replayDir);
  let realDirectory: string;
  try {
    realDirectory = await realpath(directory);
  } catch (error) {
    throw new AppError('DEPENDENCY_UNAVAILABLE', 'the replay directory is not available', {
      reason: errnoCode(error) ?? 'unknown',
    });
  }

  // A lexical check first, so `..` and foreign absolute paths get a clear reason
  // whether or not they exist. An absolute path may name the directory either
  // as configured or by its real path.
  const candidate = resolve(directory, requested);
  const lexicallyInside = isInside(directory, candidate) || isInside(realDirectory, candidate);
  if (!lexicallyInside) {
    throw new AppError(
      'INVALID_INPUT',
      `path ${requested} is outside the replay directory; give a file name relative to it`,
      { field: 'path' },
    );
  }

  let real: string;
  try {
    real = await realpath(candidate);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new AppError('NOT_FOUND', `replay dump ${requested} does not exist`, {
        field: 'path',
      });
    }
    if (code === 'ELOOP') {
      throw new AppError('INVALID_INPUT', `path ${requested} is a symbolic link loop`, {
        field: 'path',
      });
    }
    throw error;
  }
  if (!isInside(realDirectory, real)) {
    throw new AppError(
      'INVALID_INPUT',
      `path ${requested} leads outside the replay directory through a symbolic link`,
      { field: 'path' },
    );
  }
  return real;
}

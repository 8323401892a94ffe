import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startScriptNodeOptions } from '../../test/support/server-process';

export { freePort } from '../../test/support/server-process';

/** Newest modification time of any file under `dir` (0 when it does not exist). */
function newestMtimeMs(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Runs `npx nest build` in `serverDir` when dist/main.js is missing or older than src/ or the build config. */
export function ensureServerBuild(serverDir: string): 'up to date' | 'built' {
  const main = join(serverDir, 'dist', 'main.js');
  const sources = Math.max(
    newestMtimeMs(join(serverDir, 'src')),
    statSync(join(serverDir, 'tsconfig.build.json')).mtimeMs,
  );
  if (existsSync(main) && statSync(main).mtimeMs >= sources) return 'up to date';
  const result = spawnSync('npm', ['run', '--silent', 'build'], {
    cwd: serverDir,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    throw new Error(`npm run build failed in ${serverDir} (exit ${String(result.status)})`);
  }
  return 'built';
}

/**
 * BENCH_SERVER_HEAP_MB=N runs the server with a heap limit of N MiB instead of
 * the start script's (NODE_OPTIONS cannot raise it: the script's own flag wins).
 */
function withHeapLimit(args: readonly string[]): string[] {
  const mb = process.env.BENCH_SERVER_HEAP_MB;
  if (!mb) return [...args];
  if (!/^[1-9]\d*$/.test(mb)) throw new Error('BENCH_SERVER_HEAP_MB must be a whole number of MiB');
  return [
    ...args.filter((a) => !a.startsWith('--max-old-space-size=')),
    `--max-old-space-size=${mb}`,
  ];
}

export interface MemoryReading {
  readonly rssBytes: number;
  /** VmHWM: the kernel's peak resident set size of the process so far. */
  readonly peakRssBytes: number;
}

export interface RssSample {
  readonly atMs: number;
  readonly rssBytes: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The server as a child process (`node dist/main.js`), with its memory sampled from /proc. */
export class ServerProcess {
  readonly baseUrl: string;
  readonly rssSamples: RssSample[] = [];
  private readonly child: ChildProcess;
  private readonly sampler: NodeJS.Timeout;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private lastReading: MemoryReading = { rssBytes: 0, peakRssBytes: 0 };

  private constructor(
    serverDir: string,
    env: Readonly<Record<string, string>>,
    readonly port: number,
    readonly logPath: string,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    const log = openSync(logPath, 'a');
    try {
      // BENCH_SERVER_CPU_PROFILE_DIR=dir writes a V8 CPU profile of the server there when it stops.
      const profileDir = process.env.BENCH_SERVER_CPU_PROFILE_DIR;
      const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
      this.child = spawn(
        process.execPath,
        [...withHeapLimit(startScriptNodeOptions(serverDir)), ...nodeArgs, 'dist/main.js'],
        {
          cwd: serverDir,
          env: {
            ...env,
            PORT: String(port),
            // BENCH_SERVER_NODE_OPTIONS: Node options for the server only (e.g. a heap limit to try).
            ...(process.env.BENCH_SERVER_NODE_OPTIONS
              ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS }
              : {}),
          },
          stdio: ['ignore', log, log],
        },
      );
    } finally {
      closeSync(log);
    }
    this.child.once('exit', (code, signal) => {
      this.exit = { code, signal };
    });
    this.sampler = setInterval(() => this.sample(), 500);
  }

  static start(
    serverDir: string,
    env: Readonly<Record<string, string>>,
    port: number,
    logPath: string,
  ): ServerProcess {
    return new ServerProcess(serverDir, env, port, logPath);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('the server process did not start');
    return this.child.pid;
  }

  get exited(): boolean {
    return this.exit !== null;
  }

  /** Throws, naming the log, if the process has exited. */
  assertRunning(): void {
    if (this.exit) {
      throw new Error(
        `the server exited (code ${String(this.exit.code)}, signal ${String(this.exit.signal)}); ` +
          `see ${this.logPath}`,
      );
    }
  }

  /** Waits until GET /health answers 200 (every dependency up). */
  async waitUntilReady(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.assertRunning();
      try {
        const response = await fetch(`${this.baseUrl}/health`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    throw new Error(`the server was not ready within ${timeoutMs} ms; see ${this.logPath}`);
  }

  /** GET /metrics; retried a few times, since a kept-alive connection can be reset under load. */
  async metricsText(): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      this.assertRunning();
      try {
        const response = await fetch(`${this.baseUrl}/metrics`);
        if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
        return await response.text();
      } catch (error) {
        if (attempt >= 5) throw error;
        await sleep(100 * attempt);
      }
    }
  }

  /** Current and peak RSS from /proc/<pid>/status (the last reading once the process is gone). */
  memory(): MemoryReading {
    if (this.exit) return this.lastReading;
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kib = (field: string) =>
        Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      this.lastReading = { rssBytes: kib('VmRSS') * 1024, peakRssBytes: kib('VmHWM') * 1024 };
    } catch {
      // the process ended between the check and the read
    }
    return this.lastReading;
  }

  /** Largest VmRSS seen by the 500 ms sampler. */
  maxSampledRssBytes(): number {
    return this.rssSamples.reduce((max, s) => Math.max(max, s.rssBytes), 0);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 25_000): Promise<void> {
    clearInterval(this.sampler);
    if (this.exit) return;
    this.memory();
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const graceful = await Promise.race([
      exited.then(() => true),
      sleep(graceMs).then(() => false),
    ]);
    if (!graceful) {
      this.child.kill('SIGKILL');
      await exited;
    }
  }

  /** Immediate SIGKILL, for Ctrl-C. */
  kill(): void {
    clearInterval(this.sampler);
    if (!this.exit) this.child.kill('SIGKILL');
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private sample(): void {
    if (this.exit) return;
    const { rssBytes } = this.memory();
    if (rssBytes > 0) this.rssSamples.push({ atMs: Date.now(), rssBytes });
  }
}

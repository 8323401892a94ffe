import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * The real server as a child process (`node dist/main.js`), for tests where
 * the process itself matters: kill -9, graceful stop, several instances.
 */

const ROOT = resolve(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'main.js');
const OUTPUT_LIMIT = 256 * 1024;
/**
 * TEST_SERVER_LOG_DIR (set by scripts/test.sh): every server process's whole
 * output is also kept there, one file per ServerProcess, for the secrets scan
 * that runs over the logs of the whole test run (test/support/scan-secrets.ts).
 */
const LOG_DIR = process.env.TEST_SERVER_LOG_DIR;
let logFiles = 0;
const run = promisify(execFile);

/**
 * The Node options of the `start` script (`node <options> dist/main.js`), so
 * tests and benchmarks run the server the way `npm start`, scripts/run.sh and
 * the Docker image do (docker-config.spec.ts keeps those in step).
 */
export function startScriptNodeOptions(serverDir = ROOT): string[] {
  const pkg = JSON.parse(readFileSync(join(serverDir, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const words = (pkg.scripts?.start ?? '').trim().split(/\s+/);
  if (words[0] !== 'node' || words[words.length - 1] !== 'dist/main.js') {
    throw new Error(
      `package.json "start" is not "node [options] dist/main.js": ${pkg.scripts?.start}`,
    );
  }
  return words.slice(1, -1);
}

export interface ServerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServerProcessOptions {
  /** Shown in errors and log markers; helps when several instances run. */
  readonly name?: string;
  /** How long start() waits for the HTTP port to answer. */
  readonly startupTimeoutMs?: number;
}

/** Live children of this Jest worker, killed if the worker exits without cleaning up. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let build: Promise<string> | null = null;

/**
 * dist/main.js, built once per Jest worker when it is missing or older than
 * any file under src/ (the server is being changed while tests are written).
 */
export function ensureServerBuilt(): Promise<string> {
  build ??= (async () => {
    const stale =
      !existsSync(MAIN) ||
      statSync(MAIN).mtimeMs <
        Math.max(
          newestMtimeMs(join(ROOT, 'src')),
          statSync(join(ROOT, 'tsconfig.build.json')).mtimeMs,
        );
    if (stale) {
      try {
        await run('npm', ['run', '--silent', 'build'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
      } catch (error) {
        const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
        throw new Error(`nest build failed:\n${stdout}\n${stderr}`.trim());
      }
      if (!existsSync(MAIN)) throw new Error(`nest build did not produce ${MAIN}`);
    }
    return MAIN;
  })();
  // A failed build is retried by the next caller rather than remembered.
  void build.catch(() => {
    build = null;
  });
  return build;
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolvePort(port) : reject(new Error('no free port'))));
    });
  });
}

/** Variables of the test runner's environment the child needs; everything else comes from `env`. */
function baseEnvironment(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ', 'NODE_EXTRA_CA_CERTS'];
  return Object.fromEntries(
    keep.flatMap((name) => {
      const value = process.env[name];
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

export class ServerProcess {
  private child: ChildProcess | null = null;
  private exit: Promise<ServerExit> | null = null;
  private currentPort = 0;
  private starts = 0;
  private output = '';
  private readonly name: string;
  private readonly startupTimeoutMs: number;
  private readonly logFile: string | null;

  /** `env`: the server's whole configuration (e.g. testNamespace().env); PORT is chosen per start. */
  constructor(
    private readonly env: Readonly<Record<string, string>>,
    options: ServerProcessOptions = {},
  ) {
    this.name = options.name ?? 'server';
    this.startupTimeoutMs = options.startupTimeoutMs ?? 120_000;
    this.logFile = LOG_DIR
      ? join(LOG_DIR, `server-${process.pid}-${++logFiles}-${this.name.replace(/\W+/g, '_')}.log`)
      : null;
  }

  /** The port of the current (or last) run. */
  get port(): number {
    if (this.currentPort === 0) throw new Error(`${this.name} was never started`);
    return this.currentPort;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What the process printed, over all its runs (the last `maxChars`). */
  logs(maxChars = 20_000): string {
    return this.output.slice(-maxChars);
  }

  /**
   * Starts the server and resolves once its HTTP port answers (any status:
   * /health is 503 while a dependency is down). Rejects with the captured
   * output if the process exits first or does not answer in time.
   * `samePort`: on the port of the last run (a restart that clients at that
   * address should find again), else on a free one.
   */
  async start(options: { samePort?: boolean } = {}): Promise<void> {
    if (this.child) throw new Error(`${this.name} is already running (pid ${this.child.pid})`);
    const main = await ensureServerBuilt();
    this.currentPort =
      options.samePort && this.currentPort !== 0 ? this.currentPort : await freePort();
    this.starts++;
    this.append(`\n--- ${this.name} start #${this.starts} on port ${this.currentPort} ---\n`);
    const child = spawn(process.execPath, [...startScriptNodeOptions(), main], {
      cwd: ROOT,
      env: {
        ...baseEnvironment(),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        // Plain text in the captured output, which ends up in failure messages.
        NO_COLOR: '1',
        ...this.env,
        PORT: String(this.currentPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    live.add(child);
    // A forgotten child must not keep the Jest worker alive: the exit hook above kills it.
    child.unref();
    for (const stream of [child.stdout, child.stderr]) {
      // Piped stdio are sockets at run time, though typed as plain streams.
      (stream as Partial<Pick<Socket, 'unref'>> | null)?.unref?.();
    }
    child.stdout?.on('data', (chunk: Buffer) => this.append(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.append(chunk.toString()));
    this.exit = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        if (this.child === child) this.child = null;
        this.append(`--- ${this.name} exited: code ${code}, signal ${signal} ---\n`);
        resolveExit({ code, signal });
      });
    });
    child.once('error', (error) =>
      this.append(`--- ${this.name} spawn error: ${error.message} ---\n`),
    );

    const exited = this.exit.then((exit) => {
      throw new Error(
        `${this.name} exited during startup (code ${exit.code}, signal ${exit.signal}):\n${this.logs()}`,
      );
    });
    try {
      await Promise.race([this.waitUntilAnswering(child), exited]);
    } catch (error) {
      if (this.child === child) await this.kill9();
      throw error;
    } finally {
      exited.catch(() => undefined);
    }
  }

  /** SIGTERM, then waits for the exit; SIGKILL and an error if it takes longer than `timeoutMs`. */
  async stopGracefully(timeoutMs = 30_000): Promise<ServerExit> {
    const { child, exit } = this.current();
    child.kill('SIGTERM');
    const timedOut = Symbol('timed out');
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      exit,
      new Promise<typeof timedOut>((resolveTimeout) => {
        timer = setTimeout(() => resolveTimeout(timedOut), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    if (result === timedOut) {
      await this.kill9();
      throw new Error(
        `${this.name} did not stop within ${timeoutMs} ms of SIGTERM:\n${this.logs()}`,
      );
    }
    return result;
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed or committed. */
  /** Sends a signal without waiting for anything (SIGSTOP and SIGCONT: a pause the process does not notice). */
  signal(signal: NodeJS.Signals): void {
    this.current().child.kill(signal);
  }

  async kill9(): Promise<ServerExit> {
    const { child, exit } = this.current();
    child.kill('SIGKILL');
    return exit;
  }

  /** Kills the process if it still runs; for afterAll. */
  async dispose(): Promise<void> {
    if (this.child) await this.kill9();
  }

  async get(path: string, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, body: await response.text() };
  }

  /** POSTs `body` as JSON with the server's API key. */
  async post(
    path: string,
    body: unknown,
    timeoutMs = 10_000,
  ): Promise<{ status: number; body: string }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': this.env.API_KEY ?? '' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, body: await response.text() };
  }

  /** The sum of every sample of a counter or gauge on /metrics (0 when absent). */
  async metric(name: string): Promise<number> {
    const { body } = await this.get('/metrics');
    let sum = 0;
    for (const line of body.split('\n')) {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (match?.[1] === name) sum += Number(match[3]);
    }
    return sum;
  }

  private current(): { child: ChildProcess; exit: Promise<ServerExit> } {
    if (!this.child || !this.exit) throw new Error(`${this.name} is not running`);
    return { child: this.child, exit: this.exit };
  }

  private async waitUntilAnswering(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + this.startupTimeoutMs;
    while (this.child === child) {
      try {
        await this.get('/health', 5_000);
        return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${this.name} did not answer on port ${this.currentPort} within ${this.startupTimeoutMs} ms:\n${this.logs()}`,
        );
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 250));
    }
    throw new Error(`${this.name} exited during startup:\n${this.logs()}`);
  }

  private append(text: string): void {
    if (this.logFile) appendFileSync(this.logFile, text);
    this.output += text;
    if (this.output.length > OUTPUT_LIMIT) this.output = this.output.slice(-OUTPUT_LIMIT);
  }
}

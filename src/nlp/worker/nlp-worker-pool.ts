import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NlpConfig } from '@app/config';
import { type TextAnalysis, type TextParts } from '../domain/analysis';
import { type WorkerReply, type WorkerRequest } from './nlp-worker.protocol';

interface Pending {
  readonly resolve: (results: TextAnalysis[]) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  worker: Worker | null;
  readonly pending: Map<number, Pending>;
}

/**
 * NLP on worker threads, so that one server uses more than one core: a
 * batch is cut into one slice per worker and the slices are analysed in
 * parallel while the event loop goes on with other partitions' batches and
 * the stores' drivers. The analysis is deterministic, so where it runs never
 * changes a result. A worker that dies fails the slices it held (the batch
 * is then re-read from the checkpoint, like any failed batch) and is
 * replaced on the next batch.
 */
export class NlpWorkerPool {
  private readonly slots: Slot[];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly config: NlpConfig,
    size: number,
  ) {
    this.slots = Array.from({ length: size }, () => ({ worker: null, pending: new Map() }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** The analysis of each text, in order. */
  async analyze(parts: readonly TextParts[]): Promise<TextAnalysis[]> {
    if (this.closed) throw new Error('the NLP worker pool is closed');
    const per = Math.ceil(parts.length / this.slots.length);
    const slices: Promise<TextAnalysis[]>[] = [];
    for (let i = 0, slot = 0; i < parts.length; i += per, slot++) {
      slices.push(this.send(this.slots[slot] as Slot, parts.slice(i, i + per)));
    }
    return (await Promise.all(slices)).flat();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        const worker = slot.worker;
        slot.worker = null;
        if (worker) await worker.terminate();
      }),
    );
  }

  private send(slot: Slot, parts: readonly TextParts[]): Promise<TextAnalysis[]> {
    const worker = slot.worker ?? this.start(slot);
    const request: WorkerRequest = {
      id: this.nextId++,
      titles: parts.map((p) => p.title ?? null),
      bodies: parts.map((p) => p.body ?? null),
    };
    return new Promise((resolve, reject) => {
      slot.pending.set(request.id, { resolve, reject });
      worker.postMessage(request);
    });
  }

  private start(slot: Slot): Worker {
    const { file, execArgv } = workerScript();
    const worker = new Worker(file, { workerData: this.config, execArgv });
    // An idle worker must not keep the process alive.
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const waiting = slot.pending.get(reply.id);
      if (!waiting) return;
      slot.pending.delete(reply.id);
      if ('error' in reply) waiting.reject(new Error(`NLP worker: ${reply.error}`));
      else waiting.resolve(reply.results);
    });
    const fail = (error: Error): void => {
      if (slot.worker === worker) slot.worker = null;
      for (const waiting of slot.pending.values()) waiting.reject(error);
      slot.pending.clear();
    };
    worker.on('error', (error) => fail(new Error(`NLP worker failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new Error(`NLP worker exited with code ${code}`)));
    slot.worker = worker;
    return worker;
  }
}

/**
 * The built worker next to this file; from the TypeScript sources (tests,
 * benchmarks run with ts-node) the .ts file through ts-node.
 */
function workerScript(): { file: string; execArgv: string[] } {
  const built = join(__dirname, 'nlp-worker.thread.js');
  if (existsSync(built)) return { file: built, execArgv: [] };
  return {
    file: join(__dirname, 'nlp-worker.thread.ts'),
    execArgv: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'],
  };
}

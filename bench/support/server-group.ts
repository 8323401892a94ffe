import { type MemoryReading, type ServerProcess } from './server-process';

/**
 * One or more server processes in the same consumer group, seen by the
 * benchmark as one server: counters are summed over the processes, memory is
 * the largest single process (the figure a per-process limit is about).
 */
export class ServerGroup {
  private constructor(readonly processes: readonly ServerProcess[]) {}

  /** Starts `count` processes with the same environment, each on its own port and log. */
  static start(
    count: number,
    start: (index: number) => Promise<ServerProcess>,
  ): Promise<ServerGroup> {
    return Promise.all(Array.from({ length: count }, (_, i) => start(i))).then(
      (processes) => new ServerGroup(processes),
    );
  }

  get pids(): number[] {
    return this.processes.map((p) => p.pid);
  }

  assertRunning(): void {
    for (const p of this.processes) p.assertRunning();
  }

  /** Every process's /metrics text, concatenated: summing a series over it sums the processes. */
  async metricsText(): Promise<string> {
    const texts = await Promise.all(this.processes.map((p) => p.metricsText()));
    return texts.join('\n');
  }

  /** The largest current and the largest peak RSS of any one process. */
  memory(): MemoryReading {
    const readings = this.processes.map((p) => p.memory());
    return {
      rssBytes: Math.max(0, ...readings.map((r) => r.rssBytes)),
      peakRssBytes: Math.max(0, ...readings.map((r) => r.peakRssBytes)),
    };
  }

  /** Peak RSS (VmHWM) of each process, in start order. */
  peakRssEach(): number[] {
    return this.processes.map((p) => p.memory().peakRssBytes);
  }

  maxSampledRssBytes(): number {
    return Math.max(0, ...this.processes.map((p) => p.maxSampledRssBytes()));
  }

  logTails(lines = 30): string {
    return this.processes
      .map((p) => `server log (${p.logPath}), last lines:\n${p.logTail(lines)}`)
      .join('\n');
  }
}

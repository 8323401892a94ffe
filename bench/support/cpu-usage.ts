import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const CLOCK_TICKS_PER_SECOND = (() => {
  const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout);
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();

/** CPU seconds (user + system) a process has used so far; NaN when it is gone. */
function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3, "state".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** The services the server talks to, recognised by their command lines in /proc. */
const SERVICES: readonly {
  readonly name: string;
  readonly matches: (cmdline: string) => boolean;
}[] = [
  { name: 'kafka', matches: (cmd) => cmd.includes('kafka.Kafka') },
  { name: 'cassandra', matches: (cmd) => cmd.includes('CassandraDaemon') },
  {
    name: 'postgres',
    matches: (cmd) => /^postgres(:|\0|$)/.test(cmd) || cmd.includes('/postgres\0'),
  },
];

/**
 * CPU seconds used so far by each service's processes. PostgreSQL backends
 * that exited in between are not counted: the server's pool keeps its
 * connections, so the figure covers its load.
 */
function serviceCpuSeconds(): Map<string, number> {
  const totals = new Map<string, number>(SERVICES.map((s) => [s.name, 0]));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const service = SERVICES.find((s) => s.matches(cmdline));
    if (!service) continue;
    const seconds = processCpuSeconds(Number(entry));
    if (Number.isFinite(seconds))
      totals.set(service.name, (totals.get(service.name) ?? 0) + seconds);
  }
  return totals;
}

/** Busy and total CPU time of the whole machine, in seconds summed over CPUs. */
function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return { busy: (total - idle) / CLOCK_TICKS_PER_SECOND, total: total / CLOCK_TICKS_PER_SECOND };
}

export interface CpuUsage {
  readonly wallSeconds: number;
  /** Cores the server (all its processes) kept busy on average. */
  readonly serverCores: number;
  /** Cores this benchmark process (producer, pollers) kept busy. */
  readonly benchCores: number;
  /** Cores the whole machine kept busy on average (server, bench, Kafka, Cassandra, anything else). */
  readonly machineBusyCores: number;
  readonly machineCores: number;
  /** Cores each local service (Kafka, Cassandra, PostgreSQL) kept busy on average. */
  readonly serviceCores: ReadonlyMap<string, number>;
}

/** CPU use between `start()` and `stop()`, for the server process and for the machine. */
export class CpuMeter {
  private readonly startedAtMs = Date.now();
  private readonly serverStart: number;
  private readonly serverPids: readonly number[];
  private readonly machineStart = machineCpuSeconds();
  private readonly benchStart = process.cpuUsage();
  private readonly servicesStart = serviceCpuSeconds();

  /** `serverPids`: one process, or every process of a multi-process server (their CPU is summed). */
  constructor(serverPids: number | readonly number[]) {
    this.serverPids = typeof serverPids === 'number' ? [serverPids] : serverPids;
    this.serverStart = this.serverCpuSeconds();
  }

  static start(serverPids: number | readonly number[]): CpuMeter {
    return new CpuMeter(serverPids);
  }

  private serverCpuSeconds(): number {
    return this.serverPids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  }

  stop(): CpuUsage {
    const wallSeconds = (Date.now() - this.startedAtMs) / 1000;
    const machine = machineCpuSeconds();
    const machineCores = cpus().length;
    const totalDelta = machine.total - this.machineStart.total;
    const bench = process.cpuUsage(this.benchStart);
    return {
      wallSeconds,
      serverCores: (this.serverCpuSeconds() - this.serverStart) / wallSeconds,
      benchCores: (bench.user + bench.system) / 1e6 / wallSeconds,
      machineBusyCores:
        totalDelta > 0
          ? ((machine.busy - this.machineStart.busy) / totalDelta) * machineCores
          : Number.NaN,
      machineCores,
      serviceCores: new Map(
        [...serviceCpuSeconds()].map(([name, seconds]) => [
          name,
          Math.max(0, seconds - (this.servicesStart.get(name) ?? 0)) / wallSeconds,
        ]),
      ),
    };
  }
}

export function describeCpu(usage: CpuUsage): string {
  return (
    `server ${usage.serverCores.toFixed(2)} cores, this benchmark ${usage.benchCores.toFixed(2)}, ` +
    [...usage.serviceCores].map(([name, cores]) => `${name} ${cores.toFixed(2)}, `).join('') +
    `whole machine ` +
    `${usage.machineBusyCores.toFixed(2)} of ${usage.machineCores} cores busy ` +
    `over ${usage.wallSeconds.toFixed(1)} s`
  );
}

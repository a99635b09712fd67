// Running processes seen from /proc (Linux): resident memory (sampled VmRSS, and VmHWM, the
// kernel's own record of a process's peak resident set since it started), CPU time of groups of
// processes (a service, the database backends serving it), and finding a process by its argv.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A field of /proc/<pid>/status in MB, or null when the process (or the field) is gone. */
export function procStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 1024);
  } catch {
    return null;
  }
}

export interface ProcessMemoryReport {
  /** The kernel's peak resident set of the process since it started (VmHWM), read when sampling stopped. */
  peakRssMb: number | null;
  /** The largest VmRSS seen by sampling. */
  maxSampledRssMb: number | null;
  /** VmRSS when sampling stopped. */
  lastRssMb: number | null;
}

/** Samples each process's VmRSS every `intervalMs` until `stop()`. */
export function memorySampler(pids: Record<string, number | undefined>, intervalMs = 250): { stop: () => Record<string, ProcessMemoryReport> } {
  const maxSampled: Record<string, number | null> = Object.fromEntries(Object.keys(pids).map((name) => [name, null]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const rss = pid === undefined ? null : procStatusMb(pid, 'VmRSS');
      if (rss !== null) maxSampled[name] = Math.max(maxSampled[name] ?? 0, rss);
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => [
          name,
          {
            peakRssMb: pid === undefined ? null : procStatusMb(pid, 'VmHWM'),
            maxSampledRssMb: maxSampled[name] ?? null,
            lastRssMb: pid === undefined ? null : procStatusMb(pid, 'VmRSS'),
          },
        ]),
      );
    },
  };
}

const TICKS_PER_SECOND = 100;

function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return null;
  }
}

function machineTicks(): { busy: number; total: number } | null {
  try {
    const values = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    return { busy: total - (values[3] ?? 0) - (values[4] ?? 0), total };
  } catch {
    return null;
  }
}

export interface GroupCpuReport {
  /** Per named group of processes: percent of one core over the phase (200 = two cores busy). */
  processes: Record<string, number | null>;
  /** Per named group: CPU time used over the phase, in ms (user + system). */
  cpuMs: Record<string, number | null>;
  /** Busy share of all the machine's cores, whoever used them (other users included). */
  machineBusyPercent: number | null;
  /** Busy share of the machine not used by the groups above nor this process: other work on the machine. */
  othersPercentOfMachine: number | null;
  cores: number;
  seconds: number;
}

/**
 * Starts counting the CPU time of groups of processes now (`pids` is read again when stopping,
 * so a group may gain members, e.g. database backends opened meanwhile); `stop()` gives each
 * group's share of one core, this process's own ("bench (load generator)"), and the machine's.
 */
export function groupCpuMeter(groups: () => Record<string, number[]>, cores: number): { stop: () => GroupCpuReport } {
  const started = Date.now();
  const before = new Map<number, number>();
  for (const pids of Object.values(groups())) for (const pid of pids) before.set(pid, processTicks(pid) ?? 0);
  const selfBefore = process.cpuUsage();
  const machineBefore = machineTicks();
  return {
    stop: () => {
      const seconds = (Date.now() - started) / 1000;
      const processes: Record<string, number | null> = {};
      const cpuMs: Record<string, number | null> = {};
      let ours = 0;
      for (const [name, pids] of Object.entries(groups())) {
        let ticks = 0;
        let seen = false;
        for (const pid of pids) {
          const now = processTicks(pid);
          if (now === null) continue;
          seen = true;
          ticks += now - (before.get(pid) ?? 0);
        }
        processes[name] = seen ? Math.round((ticks / TICKS_PER_SECOND / seconds) * 100) : null;
        cpuMs[name] = seen ? Math.round((ticks / TICKS_PER_SECOND) * 1000) : null;
        ours += seen ? ticks / TICKS_PER_SECOND : 0;
      }
      const self = process.cpuUsage(selfBefore);
      processes['bench (load generator)'] = Math.round(((self.user + self.system) / 1e6 / seconds) * 100);
      cpuMs['bench (load generator)'] = Math.round((self.user + self.system) / 1e3);
      ours += (self.user + self.system) / 1e6;
      const machineAfter = machineTicks();
      const machineSpan = machineBefore && machineAfter ? machineAfter.total - machineBefore.total : 0;
      const machineBusyPercent = machineBefore && machineAfter && machineSpan > 0 ? Math.round(((machineAfter.busy - machineBefore.busy) / machineSpan) * 100) : null;
      const othersPercentOfMachine =
        machineBusyPercent === null ? null : Math.max(0, Math.round(machineBusyPercent - (ours / (seconds * cores)) * 100));
      return { processes, cpuMs, machineBusyPercent, othersPercentOfMachine, cores, seconds: Math.round(seconds * 10) / 10 };
    },
  };
}

/** Pids of the processes whose command line contains every one of `needles`. */
export function pidsWithArgs(...needles: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (needles.every((needle) => argv.includes(needle))) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * Which of the given processes owns each local TCP port (its end of a connection): with
 * pg_stat_activity's `client_port` it tells which service a database backend is serving.
 */
export function localPortOwners(pids: Record<string, number | undefined>): Map<number, string> {
  const ownerOfInode = new Map<string, string>();
  for (const [name, pid] of Object.entries(pids)) {
    if (pid === undefined) continue;
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
          const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
          if (inode) ownerOfInode.set(inode, name);
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      // the process is gone
    }
  }
  const owners = new Map<number, string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let lines: string[];
    try {
      lines = readFileSync(table, 'utf8').split('\n').slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const inode = fields[9];
      const owner = inode === undefined ? undefined : ownerOfInode.get(inode);
      if (local && owner) owners.set(parseInt(local.slice(local.lastIndexOf(':') + 1), 16), owner);
    }
  }
  return owners;
}

// Where a load phase spends its time, seen from outside the processes: CPU of each process and
// of the machine (from /proc), and what the database sessions are doing or waiting for
// (sampled from pg_stat_activity). Linux only; elsewhere the CPU figures are null.
import { readFileSync } from 'node:fs';
import { Client } from 'pg';

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
    const [cpuLine] = readFileSync('/proc/stat', 'utf8').split('\n');
    const values = (cpuLine ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

export interface CpuReport {
  /** Per named process: percent of one core over the phase (200 = two cores busy). */
  processes: Record<string, number | null>;
  /** Busy share of all the machine's cores, whoever used them (other users included). */
  machineBusyPercent: number | null;
  /** The cores of the machine; the share above is of all of them. */
  cores: number;
}

/** Starts counting CPU now; `stop()` gives the use since then. */
export function cpuMeter(pids: Record<string, number | undefined>, cores: number): { stop: () => CpuReport } {
  const started = Date.now();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid === undefined ? null : processTicks(pid)]));
  const selfBefore = process.cpuUsage();
  const machineBefore = machineTicks();
  return {
    stop: () => {
      const seconds = (Date.now() - started) / 1000;
      const processes: Record<string, number | null> = {};
      for (const [name, pid] of Object.entries(pids)) {
        const after = pid === undefined ? null : processTicks(pid);
        const start = before[name];
        processes[name] = after === null || start === null || start === undefined ? null : Math.round(((after - start) / TICKS_PER_SECOND / seconds) * 100);
      }
      const self = process.cpuUsage(selfBefore);
      processes['bench (load generator)'] = Math.round(((self.user + self.system) / 1e6 / seconds) * 100);
      const machineAfter = machineTicks();
      const machineBusyPercent =
        machineBefore && machineAfter && machineAfter.total > machineBefore.total
          ? Math.round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100)
          : null;
      return { processes, machineBusyPercent, cores };
    },
  };
}

export interface DatabaseActivityReport {
  samples: number;
  /** Mean number of sessions of the database running a statement (not idle, not idle in transaction). */
  meanActiveSessions: number;
  /** Mean number of sessions inside a transaction but between statements (the service is working or waiting). */
  meanIdleInTransaction: number;
  /** Share of active-session samples per wait (`CPU` when not waiting), largest first. */
  waits: { wait: string; percent: number }[];
  /** Share of active-session samples per statement (its first words), largest first. */
  statements: { statement: string; percent: number }[];
}

/**
 * Samples pg_stat_activity of one database every `intervalMs` from its own connection: the
 * sessions of the service under load, what they run and what they wait for (a row lock, a
 * WAL flush, the NOTIFY queue...).
 */
export async function databaseActivitySampler(url: string, database: string, intervalMs = 50): Promise<{ stop: () => Promise<DatabaseActivityReport> }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const waits = new Map<string, number>();
  const statements = new Map<string, number>();
  let samples = 0;
  let active = 0;
  let idleInTransaction = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ state: string; wait: string | null; statement: string }>(
        `SELECT state, wait_event_type || ':' || wait_event AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS statement
           FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            AND state IN ('active', 'idle in transaction')`,
        [database],
      );
      samples++;
      for (const row of rows) {
        if (row.state === 'idle in transaction') {
          idleInTransaction++;
          continue;
        }
        if (row.statement.startsWith('LISTEN')) continue;
        active++;
        const wait = row.wait ?? 'CPU';
        waits.set(wait, (waits.get(wait) ?? 0) + 1);
        statements.set(row.statement, (statements.get(row.statement) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  const top = (counts: Map<string, number>, total: number) =>
    [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([name, count]) => ({ name, percent: total === 0 ? 0 : Math.round((count / total) * 1000) / 10 }));
  return {
    stop: async () => {
      running = false;
      await loop.catch(() => undefined);
      await client.end().catch(() => undefined);
      return {
        samples,
        meanActiveSessions: samples === 0 ? 0 : Math.round((active / samples) * 10) / 10,
        meanIdleInTransaction: samples === 0 ? 0 : Math.round((idleInTransaction / samples) * 10) / 10,
        waits: top(waits, active).map(({ name, percent }) => ({ wait: name, percent })),
        statements: top(statements, active).map(({ name, percent }) => ({ statement: name, percent })),
      };
    },
  };
}

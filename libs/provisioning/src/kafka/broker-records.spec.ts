import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForExit } from '../process/child-exit';
import { isKafkaBrokerProcess, reapStaleBrokers, writeBrokerRecord } from './broker-records';

// A stand-in broker: any long-running process whose argv reads `java ... kafka.Kafka`.
function fakeBroker(): { child: ChildProcess; pid: number } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'kafka.Kafka'], { argv0: 'java', stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('could not start the stand-in broker');
  return { child, pid: child.pid };
}

/** The pid of a process that has already exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)']).stdout.toString().trim());
}

describe('stale broker reaping', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'vigie-broker-records-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('kills a broker whose owner died and deletes its data, but leaves a live owner\'s broker alone', async () => {
    const pidDir = join(root, 'pids');
    const orphan = fakeBroker();
    const owned = fakeBroker();
    try {
      const orphanData = join(root, 'run-orphan');
      const ownedData = join(root, 'run-owned');
      mkdirSync(orphanData);
      mkdirSync(ownedData);
      await writeBrokerRecord(pidDir, { ownerPid: deadPid(), brokerPid: orphan.pid, dataDir: orphanData });
      await writeBrokerRecord(pidDir, { ownerPid: process.pid, brokerPid: owned.pid, dataDir: ownedData });
      expect(isKafkaBrokerProcess(orphan.pid)).toBe(true);

      await reapStaleBrokers(pidDir, () => undefined);

      expect(await waitForExit(orphan.child, 5_000)).toBe(true);
      expect(existsSync(orphanData)).toBe(false);
      expect(existsSync(ownedData)).toBe(true);
      expect(isKafkaBrokerProcess(owned.pid)).toBe(true);
    } finally {
      orphan.child.kill('SIGKILL');
      owned.child.kill('SIGKILL');
    }
  });

  it('does not treat an unrelated process as a broker', () => {
    expect(isKafkaBrokerProcess(process.pid)).toBe(false);
  });
});

// `npm start` end to end: all four services become ready as separate processes, and one
// Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops everything.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const workspaceRoot = join(__dirname, '..', '..');
const ports = [0, 1, 2, 3].map((i) => 41000 + Math.floor(Math.random() * 1000) * 4 + i);

function processesInGroup(pgid: number): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim().length > 0);
  } catch {
    return []; // ps exits 1 when the group is empty
  }
}

describe('npm start', () => {
  it('brings the four services to /ready and stops them all on Ctrl-C', async () => {
    const child = spawn(process.execPath, ['tools/scripts/launch.mjs', 'start'], {
      cwd: workspaceRoot,
      detached: true, // its own process group, like a terminal's foreground job
      env: {
        ...process.env,
        INGEST_PORT: String(ports[0]),
        SCORING_PORT: String(ports[1]),
        NOTICE_AND_TAKEDOWN_PORT: String(ports[2]),
        AUDIT_PORT: String(ports[3]),
        LOG_LEVEL: 'warn',
        KAFKA_CONSUMER_START: 'latest',
        KAFKA_CONSUMER_GROUP_PREFIX: `start-it-${ports[0]}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const pgid = child.pid as number;

    const deadline = Date.now() + 150000;
    while (!output.includes('Vigie is running')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (const port of ports) {
      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(ready.status).toBe(200);
    }

    process.kill(-pgid, 'SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('vigie ▸ stopped.');
    // Nothing of the group survives: no service, no broker.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(processesInGroup(pgid)).toEqual([]);
    for (const port of ports) {
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    }
  }, 200000);
});

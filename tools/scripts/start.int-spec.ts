// `npm start` end to end: all four services become ready as separate processes, and one
// Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops everything.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';

const workspaceRoot = join(__dirname, '..', '..');
/** Five ports the OS says are free now (services, then the console): guessed ones can collide with anything on the machine. */
async function freePorts(): Promise<number[]> {
  const servers = await Promise.all(
    [0, 1, 2, 3, 4].map(
      () =>
        new Promise<Server>((resolve) => {
          const server = createServer();
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const taken = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return taken;
}

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
  it('brings the four services and the console to /ready and stops them all on Ctrl-C', async () => {
    const ports = await freePorts();
    const child = spawn(process.execPath, ['tools/scripts/launch.mjs', 'start', '--no-demo'], {
      cwd: workspaceRoot,
      detached: true, // its own process group, like a terminal's foreground job
      env: {
        ...process.env,
        INGEST_PORT: String(ports[0]),
        SCORING_PORT: String(ports[1]),
        NOTICE_AND_TAKEDOWN_PORT: String(ports[2]),
        AUDIT_PORT: String(ports[3]),
        CONSOLE_PORT: String(ports[4]),
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

  interface SlaFigures {
    met: number;
    breached: number;
    open: number;
    atRisk: number;
    openBreached: number;
  }
  const demoAdminKey = `vigie_demo_it_${'k'.repeat(32)}`;

  it('runs the demo scenario end to end: ads flow, cases are decided, commands are executed, the audit reports the SLA', async () => {
    const demoPorts = await freePorts();
    const child = spawn(process.execPath, ['tools/scripts/launch.mjs', 'start'], {
      cwd: workspaceRoot,
      detached: true,
      env: {
        ...process.env,
        INGEST_PORT: String(demoPorts[0]),
        SCORING_PORT: String(demoPorts[1]),
        NOTICE_AND_TAKEDOWN_PORT: String(demoPorts[2]),
        AUDIT_PORT: String(demoPorts[3]),
        CONSOLE_PORT: String(demoPorts[4]),
        LOG_LEVEL: 'warn',
        KAFKA_CONSUMER_START: 'latest',
        KAFKA_CONSUMER_GROUP_PREFIX: `demo-it-${demoPorts[0]}`,
        VIGIE_DEMO_ADS: '600',
        VIGIE_DEMO_ADS_PER_SECOND: '100',
        VIGIE_DEMO_HISTORY_DAYS: '30',
        INGEST_ADMIN_API_KEY: demoAdminKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 240000;
    while (!output.includes('Vigie keeps running')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the demo did not finish:\n${output.slice(-5000)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // The printed report is the audit API's report, figure for figure.
    const platformId = /Demo finished for platform (\S+):/.exec(output)?.[1];
    const api = (await (
      await fetch(`http://127.0.0.1:${demoPorts[3]}/reports/sla?platformId=${platformId}`, { headers: { authorization: `Bearer ${demoAdminKey}` } })
    ).json()) as { cases: number; response: SlaFigures; removal: SlaFigures };
    process.kill(-(child.pid as number), 'SIGINT');
    expect(await exited).toBe(0);
    const printed = /SLA report \(audit\): (\d+) cases; response SLA met (\d+), breached (\d+), open (\d+); removal SLA met (\d+), breached (\d+), open (\d+)/.exec(output);
    expect(printed?.slice(1).map(Number)).toEqual([
      api.cases,
      api.response.met,
      api.response.breached + api.response.openBreached,
      api.response.open + api.response.atRisk,
      api.removal.met,
      api.removal.breached + api.removal.openBreached,
      api.removal.open + api.removal.atRisk,
    ]);
    // The replayed month of history has late cases: breaches show next to met deadlines.
    expect(api.response.breached + api.removal.breached).toBeGreaterThan(0);
    expect(output).toMatch(/Replayed history: \d+ past cases/);
    expect(output).toMatch(/First ad scored \d+\.\d s after the command/);
    // The live progress line carries the audit's view: cases and SLA states.
    expect(output).toMatch(/demo: ads \d+\/\d+ .* · audit: \d+ cases, SLA met \d+, breached \d+/);
    const finished = /Demo finished for platform (\S+): (\d+)\/(\d+) ads accepted, (\d+) notices, (\d+) decisions, (\d+) removals confirmed/.exec(output);
    expect(finished).not.toBeNull();
    const [, , accepted, sent, notices, decisions, removals] = (finished as RegExpExecArray).map(Number);
    expect(accepted).toBe(sent);
    expect(notices).toBeGreaterThan(0);
    expect(decisions).toBeGreaterThan(0);
    expect(removals).toBeGreaterThan(0);
    expect(output).toContain("platform's webhook breaker opened");
    const report = /SLA report \(audit\): (\d+) cases; response SLA met (\d+).*removal SLA met (\d+)/.exec(output);
    expect(report).not.toBeNull();
    expect(Number(report?.[1])).toBeGreaterThan(0);
    expect(Number(report?.[3])).toBeGreaterThan(0);
  }, 300000);
});

// `npm run bench`: every benchmark, one after another (each provisions and cleans up its own
// broker and database), then bench/RESULTS.md and README's figures (`npm run bench:report`).
// A benchmark that fails is recorded (bench/results/run-all.json) and the others still run;
// the exit code is non-zero when any failed. Long: tens of minutes.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchmarkRun } from './support/results-report';
import { writeResultsReport } from './write-results-md';

const workspaceRoot = join(__dirname, '..', '..');
const ALL = ['bench:ingest', 'bench:scoring', 'eval:scoring', 'bench:notices', 'bench:audit', 'bench:pipeline'];
// BENCH_ONLY=bench:pipeline,eval:scoring runs just those (in this order).
const SCRIPTS = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((name) => name.trim()).filter(Boolean) : ALL;
const log = (line: string) => console.log(`bench ▸ ${line}`);

let current: ReturnType<typeof spawn> | undefined;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    interrupted = true;
    // The benchmark runs in a process group of its own (npm and a shell stand between it and
    // here, and pass no signal on), so every signal, Ctrl-C included, is sent to that group.
    if (current?.pid) {
      try {
        process.kill(-current.pid, signal);
      } catch {
        // the group is already gone
      }
    }
  });
}

function run(script: string): Promise<number | null> {
  return new Promise((resolve) => {
    current = spawn('npm', ['run', script], { cwd: workspaceRoot, stdio: 'inherit', detached: true });
    current.once('error', (error) => {
      log(`${script}: ${error.message}`);
      resolve(null);
    });
    current.once('exit', (code) => resolve(code));
  });
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const benchmarks: BenchmarkRun[] = [];
  const record = () => {
    mkdirSync(join(workspaceRoot, 'bench', 'results'), { recursive: true });
    writeFileSync(
      join(workspaceRoot, 'bench', 'results', 'run-all.json'),
      `${JSON.stringify({ startedAt, finishedAt: interrupted ? undefined : new Date().toISOString(), benchmarks }, null, 2)}\n`,
    );
  };
  for (const script of SCRIPTS) {
    if (interrupted) break;
    log(`${benchmarks.length + 1}/${SCRIPTS.length}: npm run ${script}`);
    const began = Date.now();
    const exitCode = await run(script);
    const outcome: BenchmarkRun = { script, status: exitCode === 0 ? 'ok' : 'failed', exitCode, startedAt: new Date(began).toISOString(), seconds: Math.round((Date.now() - began) / 1000) };
    benchmarks.push(outcome);
    record();
    log(`${script}: ${outcome.status === 'ok' ? 'done' : `FAILED (exit code ${exitCode})`} in ${outcome.seconds} s`);
  }
  record();
  const written = writeResultsReport(workspaceRoot);
  log(`wrote ${written.map((path) => path.slice(workspaceRoot.length + 1)).join(' and ')}`);
  const failed = benchmarks.filter((b) => b.status === 'failed');
  if (failed.length > 0) log(`failed: ${failed.map((b) => b.script).join(', ')}`);
  process.exit(failed.length > 0 || interrupted ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

// `npm run test:faults`: the scenario of tools/faults/scenario.ts against real services, a real
// Kafka broker and a real PostgreSQL, once without faults and once per fault kind, with the
// checks of fault-run.ts after each run; results in bench/results/faults.json. See README,
// "Fault tests". Provisions its own broker, and its own embedded PostgreSQL for the run that
// restarts it; the other runs use DATABASE_URL, the local server or an embedded one.
import { provisionKafka, provisionPostgres, type DatabaseEndpoint, type KafkaEndpoint } from '@vigie/provisioning';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { FAULT_KINDS, runFaultScenario, type FaultKind, type FaultRunResult } from './fault-run';
import { DEFAULT_SEED, generateScenario } from './scenario';

const ROOT = join(__dirname, '..', '..');

interface Settings {
  ads: number;
  seed: number;
  rate: number;
  batchSize: number;
  concurrency: number;
  runs: FaultKind[];
  killsPerService: number;
  outageSeconds: number;
  brokerDownSeconds: number;
  postgresDownSeconds: number;
  settleMinutes: number;
  out: string;
}

const USAGE = `usage: npm run test:faults -- [--ads 100000] [--seed ${DEFAULT_SEED}] [--rate 500] [--runs ${FAULT_KINDS.join(',')}]
       [--kills-per-service 2] [--outage-seconds 180] [--broker-down-seconds 10] [--postgres-down-seconds 10]
       [--settle-minutes 20] [--batch-size 500] [--concurrency 2] [--out bench/results/faults.json]`;

function parseArgs(argv: string[]): Settings {
  const settings: Settings = {
    ads: 100_000,
    seed: DEFAULT_SEED,
    rate: 500,
    batchSize: 500,
    concurrency: 2,
    runs: [...FAULT_KINDS],
    killsPerService: 2,
    outageSeconds: 180,
    brokerDownSeconds: 10,
    postgresDownSeconds: 10,
    settleMinutes: 20,
    out: join(ROOT, 'bench', 'results', 'faults.json'),
  };
  const numeric: Record<string, keyof Settings> = {
    '--ads': 'ads',
    '--seed': 'seed',
    '--rate': 'rate',
    '--batch-size': 'batchSize',
    '--concurrency': 'concurrency',
    '--kills-per-service': 'killsPerService',
    '--outage-seconds': 'outageSeconds',
    '--broker-down-seconds': 'brokerDownSeconds',
    '--postgres-down-seconds': 'postgresDownSeconds',
    '--settle-minutes': 'settleMinutes',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (flag in numeric) {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number\n${USAGE}`);
      (settings as unknown as Record<string, number>)[numeric[flag]] = n;
    } else if (flag === '--runs') {
      const runs = value().split(',').map((run) => run.trim()) as FaultKind[];
      const unknown = runs.filter((run) => !FAULT_KINDS.includes(run));
      if (unknown.length > 0) throw new Error(`unknown run ${unknown.join(', ')}; known: ${FAULT_KINDS.join(', ')}`);
      settings.runs = runs;
    } else if (flag === '--out') {
      settings.out = value();
    } else {
      throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
    }
  }
  if (settings.ads < 1 || settings.rate < 1 || settings.batchSize < 1 || settings.batchSize > 1000) throw new Error(`--ads, --rate ≥ 1 and --batch-size 1..1000\n${USAGE}`);
  // The fault-free run is what the others are compared with: always first.
  settings.runs = ['none', ...settings.runs.filter((run) => run !== 'none')];
  return settings;
}

async function main(): Promise<void> {
  const settings = parseArgs(process.argv.slice(2));
  const began = Date.now();
  const log = (line: string) => console.log(`faults ▸ ${line}`);
  const scratch = join(ROOT, 'tmp', 'faults', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(scratch, { recursive: true });
  log(`scenario: ${settings.ads} ads, seed ${settings.seed}; runs: ${settings.runs.join(', ')}; service logs in ${scratch}`);
  const scenario = generateScenario({ seed: settings.seed, ads: settings.ads });
  log(`scenario: ${JSON.stringify(scenario.expected)}`);

  // Our own broker, whatever KAFKA_BROKERS says: the kafka-restart run restarts it.
  const kafka: KafkaEndpoint = await provisionKafka({ env: {}, log: (line) => log(`kafka: ${line}`) });
  let database: DatabaseEndpoint | undefined;
  let ownPostgres: DatabaseEndpoint | undefined;
  const results: FaultRunResult[] = [];
  try {
    database = await provisionPostgres({ log: (line) => log(`postgres: ${line}`) });
    for (const kind of settings.runs) {
      if (kind === 'postgres-restart') {
        // A server of our own, on its own port: the machine's server is never restarted.
        ownPostgres ??= await provisionPostgres({
          embeddedOnly: true,
          database: 'postgres',
          workDir: join(ROOT, '.cache', 'faults', 'postgres'),
          log: (line) => log(`postgres (own): ${line}`),
        });
      }
      const runLog = (line: string) => log(`[${kind}] ${line}`);
      runLog('starting');
      const result = await runFaultScenario({
        kind,
        scenario,
        seed: settings.seed,
        rate: settings.rate,
        batchSize: settings.batchSize,
        concurrency: settings.concurrency,
        kafkaBrokers: kafka.brokers.join(','),
        databaseUrl: kind === 'postgres-restart' ? (ownPostgres as DatabaseEndpoint).url : database.url,
        restartKafka: kafka.restart,
        restartPostgres: kind === 'postgres-restart' ? ownPostgres?.restart : undefined,
        killsPerService: settings.killsPerService,
        brokerDowntimeMs: settings.brokerDownSeconds * 1000,
        postgresDowntimeMs: settings.postgresDownSeconds * 1000,
        outageMs: settings.outageSeconds * 1000,
        settleTimeoutMs: settings.settleMinutes * 60_000,
        baseline: kind === 'none' ? undefined : results.find((run) => run.kind === 'none'),
        logDir: join(scratch, kind),
        log: runLog,
      });
      results.push(result);
      runLog(`${result.passed ? 'PASSED' : 'FAILED'} in ${(result.durationMs / 1000).toFixed(0)} s`);
      write(settings, scenario.expected, results, began);
    }
  } finally {
    await ownPostgres?.stop();
    await database?.stop();
    await kafka.stop();
  }
  const failed = results.filter((run) => !run.passed);
  log(`${results.length - failed.length}/${results.length} runs passed in ${((Date.now() - began) / 60_000).toFixed(1)} min; results in ${settings.out}`);
  if (failed.length > 0) process.exitCode = 1;
}

function write(settings: Settings, expected: unknown, runs: FaultRunResult[], began: number): void {
  const document = {
    generatedAt: new Date().toISOString(),
    command: `npm run test:faults -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim(), node: process.version, loadAverage: loadavg().map((n) => Number(n.toFixed(2))) },
    setup: {
      ads: settings.ads,
      seed: settings.seed,
      adsPerSecond: settings.rate,
      batchSize: settings.batchSize,
      concurrentBatches: settings.concurrency,
      killsPerService: settings.killsPerService,
      webhookOutageSeconds: settings.outageSeconds,
      brokerDownSeconds: settings.brokerDownSeconds,
      postgresDownSeconds: settings.postgresDownSeconds,
      settleTimeoutMinutes: settings.settleMinutes,
    },
    scenario: expected,
    comparedSlaFigures:
      'cases, casesWithAnomalies, breachesTotal and, for response and removal: applicable, met, breached, open, atRisk, openBreached, paused, ended (timeTo.count) — overall, by source and by category; durations (median, p90, p99, max) depend on wall-clock timing and are not compared',
    passed: runs.every((run) => run.passed),
    totalDurationMs: Date.now() - began,
    runs,
  };
  mkdirSync(join(settings.out, '..'), { recursive: true });
  writeFileSync(settings.out, `${JSON.stringify(document, null, 2)}\n`);
}

main().catch((error) => {
  console.error(`faults ▸ ${(error as Error).stack ?? error}`);
  process.exit(1);
});

// `npm run bench:notices`: DSA notices accepted per second by notice-and-takedown under load
// (autocannon, trusted-flagger key), side by side with a bare Fastify hello endpoint hit with
// the same settings in the same run, and the time from a moderator's decision to its takedown
// command on takedown.commands.v1. Writes bench/results/notices.json. Not a test: it reports
// figures, ratios and whether the targets of issue 5 are met.
//
// Settings (environment):
//   BENCH_DURATION_S       seconds per load phase (default 10)
//   BENCH_WARMUP_S         seconds of warm-up load before measuring (default 3)
//   BENCH_CONNECTIONS      concurrent HTTP connections of the load generator, one level or several
//                          (default 32,64,96): the notice phases run at each level, the hello server
//                          and the warm-up at the first; the figures reported are those of the level
//                          with the most notices/s whose p99 stays under the 50 ms target (every level
//                          is in the results). Group commit needs concurrency: at a level too low
//                          to keep the service busy, the rate measures the clients' round trips.
//   BENCH_JOIN_POOL        ads (of the new-case phase) that the joining phase spreads its notices on (default 1000)
//   BENCH_DECISIONS        cases decided for the decision-to-command figure (default 200)
//   BENCH_DECISION_CONCURRENCY  moderators deciding at once (default 1)
//   BENCH_FLAGGER_KEYS     trusted flaggers the notices are spread over, one key each (default 1: one
//                          flagger sending in bulk; more shows what per-notifier contention costs)
//   BENCH_NAT_NODE_FLAGS   extra node flags for the service process only, e.g.
//                          `--cpu-prof --cpu-prof-dir=/tmp/nat-prof` (a summary of the load phases goes in the results)
//   KAFKA_BROKERS / DATABASE_URL  use these instead of provisioning a broker / database
import { Topics } from '@vigie/contracts';
import { createKafkaClient } from '@vigie/messaging';
import {
  createDatabaseIfMissing,
  databaseUrl,
  dropDatabaseIfExists,
  findFreePort,
  provisionKafka,
  provisionPostgres,
  serviceNodeArgs,
  serviceProcessSpec,
} from '@vigie/provisioning';
import autocannon from 'autocannon';
import type { Consumer } from 'kafkajs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { benchCleanups } from './support/cleanups';
import { summariseLatestProfile, type ProfileWindows } from './support/cpu-profile-summary';
import { cpuMeter, databaseActivitySampler, type CpuReport, type DatabaseActivityReport } from './support/load-probes';

const durationS = Number(process.env.BENCH_DURATION_S ?? 10);
const warmupS = Number(process.env.BENCH_WARMUP_S ?? 3);
const connectionLevels = (process.env.BENCH_CONNECTIONS ?? '32,64,96').split(',').map(Number);
if (connectionLevels.length === 0 || connectionLevels.some((level) => !Number.isInteger(level) || level < 1)) {
  throw new Error(`BENCH_CONNECTIONS: expected connection counts separated by commas, got "${process.env.BENCH_CONNECTIONS}"`);
}
const firstLevel = connectionLevels[0] as number;
const joinPool = Number(process.env.BENCH_JOIN_POOL ?? 1000);
const decisionCount = Number(process.env.BENCH_DECISIONS ?? 200);
const decisionConcurrency = Number(process.env.BENCH_DECISION_CONCURRENCY ?? 1);
const flaggerCount = Math.max(1, Number(process.env.BENCH_FLAGGER_KEYS ?? 1));
const natNodeFlags = (process.env.BENCH_NAT_NODE_FLAGS ?? '').split(' ').filter((flag) => flag.length > 0);
const profileDir = natNodeFlags.find((flag) => flag.startsWith('--cpu-prof-dir='))?.slice('--cpu-prof-dir='.length);

const TARGETS = { noticesPerSec: 3000, p99Ms: 50, decisionToCommandP99Ms: 200 };
const PLATFORM = 'bench';
const workspaceRoot = join(__dirname, '..', '..');
const INGEST_MAIN = serviceProcessSpec('ingest').main;
const NAT_MAIN = serviceProcessSpec('notice-and-takedown').main;
const log = (line: string) => console.log(`bench:notices ▸ ${line}`);

// Everything started is stopped in reverse order, once, on the way out or on Ctrl-C (which also
// stops the load generator).
let currentLoad: autocannon.Instance | undefined;
const cleanups = benchCleanups('bench:notices', () => currentLoad?.stop());

interface LoadResult {
  phase: string;
  connections: number;
  durationS: number;
  requests: number;
  accepted: number;
  perSec: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  firstFailure: string | null;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  bodyBytes: number;
  cpu: CpuReport;
  database?: DatabaseActivityReport;
  window: { fromMs: number; toMs: number };
}

async function main(): Promise<void> {
  log(`settings: ${durationS} s per phase, ${connectionLevels.join('/')} connections, warm-up ${warmupS} s, ${decisionCount} decisions`);
  compileServices();
  const kafka = await provisionKafka({ log: (line) => log(`kafka: ${line}`) });
  cleanups.add('kafka', () => kafka.stop());
  const database = await provisionPostgres({ database: 'vigie_bench', log: (line) => log(`postgres: ${line}`) });
  cleanups.add('postgres', () => database.stop());
  const benchDb = `vigie_bench_notices_${randomBytes(3).toString('hex')}`;
  const adminUrl = databaseUrl(database.url, 'postgres');
  await createDatabaseIfMissing(adminUrl, benchDb);
  cleanups.add(`database ${benchDb}`, () => dropDatabaseIfExists(adminUrl, benchDb));
  const dbUrl = databaseUrl(database.url, benchDb);
  const common = {
    KAFKA_BROKERS: kafka.brokers.join(','),
    DATABASE_URL: dbUrl,
    LOG_LEVEL: 'warn',
    KAFKA_CONSUMER_GROUP_PREFIX: `bench-${benchDb}`,
  };

  const adminKey = randomBytes(32).toString('base64url');
  const ingestPort = await findFreePort();
  const ingest = startChild('ingest', serviceNodeArgs(INGEST_MAIN), {
    ...common,
    INGEST_PORT: String(ingestPort),
    INGEST_ADMIN_API_KEY: adminKey,
    VIGIE_SECRETS_KEY: randomBytes(32).toString('hex'),
  });
  const ingestUrl = `http://127.0.0.1:${ingestPort}`;
  await waitReady(ingestUrl, ingest);
  log('ingest ready: registering the platform and issuing keys');
  await post(ingestUrl, '/admin/platforms', adminKey, { id: PLATFORM, name: 'Benchmark platform', integrationMode: 'kafka' });
  const flaggerKeys: string[] = [];
  for (let i = 1; i <= flaggerCount; i++) {
    const principalId = `FR-TF-${String(i).padStart(4, '0')}`;
    flaggerKeys.push((await post(ingestUrl, '/admin/keys', adminKey, { role: 'trusted-flagger', principalId, label: 'bench' })).apiKey as string);
  }
  const flaggerKey = flaggerKeys[0] as string;
  const moderatorKey = (await post(ingestUrl, '/admin/keys', adminKey, { role: 'moderator', principalId: 'mod-bench', label: 'bench' })).apiKey as string;

  const natPort = await findFreePort();
  const nat = startChild('notice-and-takedown', [...natNodeFlags, ...serviceNodeArgs(NAT_MAIN)], {
    ...common,
    NOTICE_AND_TAKEDOWN_PORT: String(natPort),
    VIGIE_AUTH_URL: ingestUrl,
    VIGIE_SERVICE_API_KEY: adminKey,
  });
  const natUrl = `http://127.0.0.1:${natPort}`;
  const helloPort = await findFreePort();
  const hello = startChild('hello', [join('dist', 'tools', 'bench', 'support', 'hello-server.js')], { HELLO_PORT: String(helloPort) });
  const helloUrl = `http://127.0.0.1:${helloPort}`;
  await Promise.all([waitReady(natUrl, nat), waitReady(helloUrl, hello)]);
  log('notice-and-takedown and the hello server ready');

  const db = new Client({ connectionString: dbUrl });
  await db.connect();
  cleanups.add('bench database connection', () => db.end());
  const pids = { 'notice-and-takedown': nat.pid, ingest: ingest.pid, hello: hello.pid };
  const cores = cpus().length;

  // The same request shape for every phase: the hello server gets the notices' bytes too.
  const noticeBody = (adId: string) =>
    JSON.stringify({
      locations: [{ platformId: PLATFORM, adId, url: `https://annonces.example/${PLATFORM}/${adId}` }],
      category: 'pimping',
      explanation: 'Annonce proposant les services sexuels tarifés d’une tierce personne, contact par un intermédiaire.',
      goodFaith: true,
    });
  const counter = () => {
    let next = 0;
    return () => next++;
  };

  log(`warm-up: ${warmupS} s on each server`);
  const warmIds = counter();
  await warmUp({ phase: 'warm-up hello', base: helloUrl, path: '/hello', keys: flaggerKeys, seconds: warmupS, body: () => noticeBody(`warm-${warmIds()}`), pids, cores });
  await warmUp({ phase: 'warm-up notices', base: natUrl, path: '/notices', keys: flaggerKeys, seconds: warmupS, body: () => noticeBody(`warm-${warmIds()}`), pids, cores });
  await outboxDrained(db, 'warm-up');

  const helloIds = counter();
  const helloBefore = await load({ phase: 'hello (before)', base: helloUrl, path: '/hello', keys: flaggerKeys, seconds: durationS, body: () => noticeBody(`new-${helloIds()}`), pids, cores });

  // The notice phases at each connection level; the joining phases spread their notices over
  // ads of the first new-case phase.
  const newIds = counter();
  const levels: { connections: number; newCases: LoadResult; joining: LoadResult; newDrainMs: number; joinDrainMs: number }[] = [];
  let pool = joinPool;
  const noticePhase = (phase: string, level: number, body: () => string) =>
    load({ phase: `${phase}, ${level} connections`, base: natUrl, path: '/notices', keys: flaggerKeys, seconds: durationS, body, pids, cores, database: { url: dbUrl, name: benchDb }, connections: level });
  for (const level of connectionLevels) {
    const newCases = await noticePhase('notices, each opening a case', level, () => noticeBody(`new-${newIds()}`));
    const newDrainMs = await outboxDrained(db, `the new-case phase at ${level} connections`);
    if (levels.length === 0) pool = Math.max(1, Math.min(joinPool, newCases.accepted));
    const joinIds = counter();
    const joining = await noticePhase(`notices joining existing cases (${pool} ads)`, level, () => noticeBody(`new-${joinIds() % pool}`));
    const joinDrainMs = await outboxDrained(db, `the joining phase at ${level} connections`);
    levels.push({ connections: level, newCases, joining, newDrainMs, joinDrainMs });
  }
  // The level reported: the most notices/s within the latency target (else simply the most).
  const best = (phase: 'newCases' | 'joining') => {
    const within = levels.filter((level) => level[phase].latencyMs.p99 < TARGETS.p99Ms);
    return (within.length > 0 ? within : levels).reduce((a, b) => (b[phase].perSec > a[phase].perSec ? b : a));
  };
  const { newCases, newDrainMs } = best('newCases');
  const { joining, joinDrainMs } = best('joining');
  // Side by side with the hello server at the same load: its connection level, the first.
  const sameLoad = levels[0] as (typeof levels)[number];

  const helloAfter = await load({ phase: 'hello (after)', base: helloUrl, path: '/hello', keys: flaggerKeys, seconds: durationS, body: () => noticeBody(`new-${helloIds()}`), pids, cores });

  const [stored] = (
    await db.query<{ notices: number; cases: number; joins: number }>(
      `SELECT (SELECT count(*)::int FROM notice_and_takedown.notices WHERE locations->0->>'adId' NOT LIKE 'warm-%') AS notices,
              (SELECT count(*)::int FROM notice_and_takedown.cases WHERE ad_id LIKE 'new-%') AS cases,
              (SELECT count(*)::int FROM notice_and_takedown.case_notices cn JOIN notice_and_takedown.cases c ON c.id = cn.case_id WHERE c.ad_id LIKE 'new-%') AS joins`,
    )
  ).rows;
  const acceptedInAll = levels.reduce((sum, level) => sum + level.newCases.accepted + level.joining.accepted, 0);
  log(`stored: ${stored?.notices} notices, ${stored?.cases} cases, ${stored?.joins} notice-case links (accepted in all phases: ${acceptedInAll})`);

  const decisions = await decisionToCommand(natUrl, flaggerKey, moderatorKey, kafka.brokers, benchDb);

  let profile: { newCases: unknown; joining: unknown } | undefined;
  if (profileDir) {
    log('stopping notice-and-takedown to collect its CPU profile...');
    await stopChild(nat);
    const endedAtMs = Date.now();
    const within = (window: LoadResult['window']): ProfileWindows => ({ endedAtMs, windows: [window] });
    profile = { newCases: summariseLatestProfile(profileDir, within(newCases.window)), joining: summariseLatestProfile(profileDir, within(joining.window)) };
  }

  const helloPerSec = Math.round((helloBefore.perSec + helloAfter.perSec) / 2);
  const ratio = (perSec: number) => Math.round((perSec / helloPerSec) * 1000) / 1000;
  const strip = ({ window: _window, ...rest }: LoadResult) => rest;
  const result = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: cores, cpuModel: cpus()[0]?.model, node: process.version, loadAverageAtStart: loadAverageAtStart.map((value) => Math.round(value * 100) / 100) },
    setup: {
      durationS,
      warmupS,
      connections: connectionLevels,
      helloConnections: firstLevel,
      pipelining: 1,
      joinPool: pool,
      decisions: decisionCount,
      decisionConcurrency,
      trustedFlaggerKeys: flaggerCount,
      bodyBytes: newCases.bodyBytes,
      auth: 'trusted-flagger API key (verified by ingest, cached by the service)',
      processes: 'notice-and-takedown, ingest and the hello server each in its own node process (compiled, dist/); autocannon in the bench process',
      brokerColocated: true,
      database: database.kind,
      serviceNodeFlags: natNodeFlags,
    },
    noticesPerSec: newCases.perSec,
    p99Ms: newCases.latencyMs.p99,
    atConnections: newCases.connections,
    helloPerSec,
    ratioToHello: ratio(sameLoad.newCases.perSec),
    decisionToCommandP99Ms: decisions.p99Ms,
    decisionToCommandP50Ms: decisions.p50Ms,
    joining: { noticesPerSec: joining.perSec, p99Ms: joining.latencyMs.p99, ratioToHello: ratio(sameLoad.joining.perSec), atConnections: joining.connections },
    levels: levels.map((level) => ({
      connections: level.connections,
      newCases: { noticesPerSec: level.newCases.perSec, p50Ms: level.newCases.latencyMs.p50, p99Ms: level.newCases.latencyMs.p99 },
      joining: { noticesPerSec: level.joining.perSec, p50Ms: level.joining.latencyMs.p50, p99Ms: level.joining.latencyMs.p99 },
    })),
    outboxDrainAfterPhaseMs: { newCases: newDrainMs, joining: joinDrainMs },
    stored,
    phases: {
      helloBefore: strip(helloBefore),
      ...Object.fromEntries(levels.flatMap((level) => [[`newCases${level.connections}`, strip(level.newCases)], [`joining${level.connections}`, strip(level.joining)]])),
      helloAfter: strip(helloAfter),
    },
    decisions,
    ...(profile ? { profile } : {}),
    targets: {
      noticesPerSec: { target: TARGETS.noticesPerSec, met: newCases.perSec >= TARGETS.noticesPerSec },
      p99Ms: { target: TARGETS.p99Ms, met: newCases.latencyMs.p99 < TARGETS.p99Ms },
      decisionToCommandP99Ms: {
        target: TARGETS.decisionToCommandP99Ms,
        met: decisions.missing === 0 && decisions.p99Ms !== null && decisions.p99Ms < TARGETS.decisionToCommandP99Ms,
      },
    },
  };
  mkdirSync(join(workspaceRoot, 'bench', 'results'), { recursive: true });
  writeFileSync(join(workspaceRoot, 'bench', 'results', 'notices.json'), `${JSON.stringify(result, null, 2)}\n`);
  log(`written bench/results/notices.json\n${JSON.stringify({ ...result, phases: undefined, profile: undefined }, null, 2)}`);
  if (profile) log(`CPU profile of notice-and-takedown during the load phases:\n${JSON.stringify(profile, null, 2)}`);
}

const loadAverageAtStart = loadavg();

/** The two services and the hello server, compiled into dist/ (only what they import). */
function compileServices(): void {
  log('compiling ingest, notice-and-takedown and the hello server into dist/...');
  const buildConfig = join(workspaceRoot, 'dist', 'tsconfig.bench-notices.json');
  mkdirSync(dirname(buildConfig), { recursive: true });
  writeFileSync(
    buildConfig,
    JSON.stringify({
      extends: '../tsconfig.build.json',
      compilerOptions: { tsBuildInfoFile: './.tsbuildinfo-bench-notices' },
      include: [],
      files: [`../${INGEST_MAIN}`, `../${NAT_MAIN}`, '../tools/bench/support/hello-server.ts'],
    }),
  );
  if (spawnSync(join('node_modules', '.bin', 'tsc'), ['-p', buildConfig], { cwd: workspaceRoot, stdio: 'inherit' }).status !== 0) {
    throw new Error('the build failed');
  }
}

function startChild(name: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: workspaceRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  child.once('exit', (code, signal) => {
    if (!cleanups.stopping) log(`${name} exited (${signal ?? `code ${code}`})`);
  });
  cleanups.add(name, () => stopChild(child));
  return child;
}

/** SIGTERM, then SIGKILL after a grace period (short when interrupted: the broker may already be gone). */
async function stopChild(child: ChildProcess, graceMs = cleanups.interrupted ? 5000 : 20000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function waitReady(base: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the process behind ${base} exited with code ${child.exitCode}`);
    const status = await fetch(`${base}/ready`).then((r) => r.status, () => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${base} did not become ready`);
}

async function post(base: string, path: string, key: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${text.slice(0, 500)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** One load phase: `connections` connections for `seconds`, each request with a fresh body. */
async function load(options: {
  phase: string;
  base: string;
  path: string;
  /** Spread over the requests in turn. */
  keys: string[];
  seconds: number;
  body: () => string;
  pids: Record<string, number | undefined>;
  cores: number;
  database?: { url: string; name: string };
  /** A warm-up may see no answer in its few seconds (a loaded machine, a cold JIT): its caller decides. */
  mayAcceptNothing?: boolean;
  /** Default: the first level of BENCH_CONNECTIONS. */
  connections?: number;
}): Promise<LoadResult> {
  const connections = options.connections ?? firstLevel;
  log(`${options.phase}: ${options.seconds} s, ${connections} connections...`);
  const sampler = options.database ? await databaseActivitySampler(options.database.url, options.database.name) : undefined;
  const meter = cpuMeter(options.pids, options.cores);
  let responses = 0;
  let firstFailure: string | null = null;
  let sent = 0;
  const fromMs = Date.now();
  const progress = setInterval(() => {
    log(`  ${options.phase}: ${Math.round((Date.now() - fromMs) / 1000)} s, ${responses} responses`);
  }, 2500);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    currentLoad = autocannon(
      {
        url: options.base,
        connections,
        pipelining: 1,
        duration: options.seconds,
        requests: [
          {
            method: 'POST',
            path: options.path,
            headers: { authorization: `Bearer ${options.keys[0]}`, 'content-type': 'application/json' },
            setupRequest: (request) => ({
              ...request,
              headers: { ...request.headers, authorization: `Bearer ${options.keys[sent++ % options.keys.length]}` },
              body: options.body(),
            }),
            onResponse: (status, body) => {
              if (status >= 300 && firstFailure === null) firstFailure = `${status} ${body.slice(0, 300)}`;
            },
          },
        ],
      },
      (error, outcome) => (error ? reject(error) : resolve(outcome)),
    );
    currentLoad.on('response', () => responses++);
  }).finally(() => {
    clearInterval(progress);
    currentLoad = undefined;
  });
  const toMs = Date.now();
  const cpu = meter.stop();
  const database = await sampler?.stop();
  const accepted = result['2xx'];
  const loadResult: LoadResult = {
    phase: options.phase,
    connections,
    durationS: result.duration,
    requests: result.requests.total,
    accepted,
    perSec: Math.round(accepted / result.duration),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, (stats as { count: number }).count])),
    firstFailure,
    latencyMs: { mean: result.latency.mean, p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    bodyBytes: Buffer.byteLength(options.body()),
    cpu,
    ...(database ? { database } : {}),
    window: { fromMs, toMs },
  };
  log(
    `${options.phase}: ${loadResult.perSec}/s accepted, p50 ${loadResult.latencyMs.p50} ms, p99 ${loadResult.latencyMs.p99} ms` +
      (result.non2xx + result.errors + result.timeouts > 0 ? `, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts (${firstFailure ?? ''})` : '') +
      `; CPU % of a core: ${JSON.stringify(cpu.processes)}, machine busy ${cpu.machineBusyPercent}%`,
  );
  if (database) log(`  database: ${JSON.stringify(database.waits.slice(0, 5))}, ${database.meanActiveSessions} active sessions`);
  if (accepted === 0 && !options.mayAcceptNothing) throw new Error(`${options.phase}: nothing was accepted (${firstFailure ?? 'no answer'})`);
  return loadResult;
}

/**
 * Warm-up load, repeated (at most five times) until the server has answered at least once: on
 * a loaded machine the first seconds may end before any request does, which is no reason to
 * give up the benchmark.
 */
async function warmUp(options: Parameters<typeof load>[0]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const result = await load({ ...options, mayAcceptNothing: true });
    if (result.accepted > 0) return;
    if (attempt === 5) throw new Error(`${options.phase}: nothing was accepted in ${attempt} tries (${result.firstFailure ?? 'no answer'})`);
    log(`${options.phase}: no answer yet; warming up again`);
  }
}

/** Waits until the relay has published everything the service wrote to its outbox. */
async function outboxDrained(db: Client, after: string): Promise<number> {
  const started = Date.now();
  const deadline = started + 300000;
  for (;;) {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM notice_and_takedown.outbox');
    if (rows[0]?.n === 0) break;
    if (Date.now() > deadline) throw new Error(`the outbox still holds ${rows[0]?.n} events 5 minutes after ${after}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const ms = Date.now() - started;
  log(`outbox drained ${ms} ms after ${after}`);
  return ms;
}

const percentile = (sorted: number[], p: number): number | null =>
  sorted.length === 0 ? null : Math.round((sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number) * 10) / 10;

/**
 * For each of `decisionCount` fresh cases: claim it as a moderator, decide `remove`, and time
 * from the start of the decision request to the arrival of its `takedown.requested` on the
 * commands topic (read by a consumer group that joined before the first decision).
 */
async function decisionToCommand(natUrl: string, flaggerKey: string, moderatorKey: string, brokers: string[], benchDb: string) {
  log(`decision-to-command: opening ${decisionCount} cases...`);
  const caseIds: string[] = [];
  await inParallel(decisionCount, 8, async (i) => {
    const receipt = await post(natUrl, '/notices', flaggerKey, {
      locations: [{ platformId: PLATFORM, adId: `decide-${i}`, url: `https://annonces.example/${PLATFORM}/decide-${i}` }],
      category: 'pimping',
      explanation: 'Annonce proposant les services sexuels tarifés d’une tierce personne.',
      goodFaith: true,
    });
    caseIds[i] = (receipt.cases as { caseId: string }[])[0]?.caseId as string;
  });

  const kafka = createKafkaClient({ brokers, clientId: 'vigie-bench-notices' });
  const groupId = `bench-notices-commands-${benchDb}`;
  const consumer: Consumer = kafka.consumer({ groupId });
  cleanups.add('command consumer', () => consumer.disconnect());
  const arrivals = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  await consumer.connect();
  await consumer.subscribe({ topics: [Topics.TakedownCommands], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const at = performance.now();
      const event = JSON.parse(message.value?.toString() ?? '{}') as { type?: string; tenant?: string; data?: { commandId?: string } };
      const commandId = event.data?.commandId;
      if (event.type !== 'takedown.requested' || event.tenant !== PLATFORM || !commandId) return;
      arrivals.set(commandId, at);
      waiters.get(commandId)?.();
    },
  });
  await waitForStableGroup(kafka, groupId);
  log(`decision-to-command: consumer group assigned; deciding ${decisionCount} cases, ${decisionConcurrency} at a time...`);

  const latencies: number[] = [];
  const decideHttp: number[] = [];
  let missing = 0;
  await inParallel(decisionCount, decisionConcurrency, async (i) => {
    const caseId = caseIds[i] as string;
    await post(natUrl, `/review/cases/${caseId}/claim`, moderatorKey, {});
    const started = performance.now();
    const decision = await post(natUrl, `/review/cases/${caseId}/decision`, moderatorKey, {
      action: 'remove',
      explanation: 'Proxénétisme : annonce de services sexuels tarifés pour une tierce personne.',
    });
    decideHttp.push(performance.now() - started);
    const commandId = decision.commandId as string;
    if (!commandId) throw new Error(`the decision on ${caseId} sent no command: ${JSON.stringify(decision).slice(0, 300)}`);
    if (!arrivals.has(commandId)) {
      const arrived = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 10000);
        waiters.set(commandId, () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      waiters.delete(commandId);
      if (!arrived) {
        missing++;
        return;
      }
    }
    latencies.push((arrivals.get(commandId) as number) - started);
    if (latencies.length % 50 === 0) log(`  decision-to-command: ${latencies.length}/${decisionCount}`);
  });
  await consumer.disconnect();
  const sorted = [...latencies].sort((a, b) => a - b);
  const http = [...decideHttp].sort((a, b) => a - b);
  const report = {
    decided: decisionCount,
    commandsReceived: latencies.length,
    missing,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: percentile(sorted, 100),
    decisionRequestP50Ms: percentile(http, 50),
    decisionRequestP99Ms: percentile(http, 99),
  };
  log(`decision-to-command: p50 ${report.p50Ms} ms, p99 ${report.p99Ms} ms (decision request alone: p50 ${report.decisionRequestP50Ms} ms, p99 ${report.decisionRequestP99Ms} ms), ${missing} missing`);
  return report;
}

/** A consumer that starts at the latest offset misses what is produced before it has its partitions. */
async function waitForStableGroup(kafka: ReturnType<typeof createKafkaClient>, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 60000;
    for (;;) {
      const { groups } = await admin.describeGroups([groupId]);
      if (groups[0]?.state === 'Stable' && groups[0].members.length > 0) break;
      if (Date.now() > deadline) throw new Error(`consumer group ${groupId} did not stabilise`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000)); // its first fetch pins the start offsets
  } finally {
    await admin.disconnect();
  }
}

async function inParallel(count: number, width: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, width) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

main()
  .then(() => cleanups.run())
  .then(() => process.exit(0))
  .catch(async (error) => {
    console.error(error);
    await cleanups.run();
    process.exit(1);
  });

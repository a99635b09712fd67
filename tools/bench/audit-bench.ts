// `npm run bench:audit [-- --events N] [-- --report-events N]`: the audit log's throughput
// against a real broker and database. Writes bench/results/audit.json. Not a test: it reports
// figures and ratios.
//
// - appendEventsPerSec: N events (--events, default 200,000; 5 per ad, each ad its own case)
//   produced to the domain topics, timed from the first send until all N are chained into
//   audit.log by the audit's real consumer (inbox, batch transaction, hash chain, heads, offsets).
//   The projector tails the log meanwhile, as in production (SLA alerts are not dispatched).
// - copyEventsPerSec: the same rows (read back from the log) written by COPY FROM STDIN into an
//   unchained table without indexes on one connection, in the same run: the yardstick of the
//   ratio.
// - verifyEventsPerSec: `vigie audit verify` over the whole log, run as the CLI in a process of
//   its own while the audit service stays up; the median of three walks (all three in
//   verifyRunsEventsPerSec).
// - reportP50Ms: median of GET /reports/sla once the projections have caught up and case_facts
//   has been vacuumed (as autovacuum would after the load; the time it took is recorded). With
//   --report-events N above --events, the log is first grown to N events by a fast path (chained
//   records written by COPY under the append lock, not through Kafka) and the projector derives
//   the projections from them as it would from appended events; its rate is recorded too.
// - checkpointMs, evidenceBundleMs: one signed checkpoint of every platform, then one case's
//   evidence bundle, over the log at its largest (both read every chain head of a platform).
// The events appended come from a producer process of its own (support/lifecycle-producer.ts).
// BENCH_KEEP_DATABASE=1 keeps the bench's database at the end (its name is logged).
import { extendChainPrepared, generateSigningKeyPair, prepareEntry } from '@vigie/audit-chain';
import { partitionsFor, topicOf } from '@vigie/contracts';
import { createKafkaClient } from '@vigie/messaging';
import { createDatabaseIfMissing, databaseUrl, dropDatabaseIfExists, findFreePort, provisionKafka, provisionPostgres } from '@vigie/provisioning';
import { bootstrapService } from '@vigie/service-kit';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Pool, type PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { auditService } from '../../apps/audit/src/audit.service';
import { withAppendLock } from '../../apps/audit/src/log/services/log-lock';
import type { VerificationReport } from '../../apps/audit/src/verification/services/log-verifier';
import { EVENTS_PER_SUBJECT as eventsPerSubject, Lifecycles } from './support/audit-lifecycles';
import { benchCleanups } from './support/cleanups';
import { machineInfo } from './support/machine-info';

const { values: args } = parseArgs({
  options: { events: { type: 'string' }, 'report-events': { type: 'string' }, 'report-calls': { type: 'string' } },
});
const positive = (raw: string | undefined, name: string, fallback: number): number => {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
};
const totalEvents = positive(args.events ?? process.env.BENCH_AUDIT_EVENTS, '--events', 200_000);
const reportTarget = positive(args['report-events'] ?? process.env.BENCH_AUDIT_REPORT_EVENTS, '--report-events', totalEvents);
const VERIFY_RUNS = 3;
const reportCalls = positive(args['report-calls'] ?? process.env.BENCH_AUDIT_REPORT_CALLS, '--report-calls', 11);
const workspaceRoot = join(__dirname, '..', '..');
const loadAverageAtStart = loadavg();
const log = (line: string) => console.log(`bench:audit ▸ ${line}`);
const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped; null as \N. */
function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : text;
}

/** Streams rows into `COPY <target> FROM STDIN`, waiting for the socket when it is full. */
async function copyRows(client: PoolClient, target: string, rows: Iterable<unknown[]>): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${target} FROM STDIN`));
  const finished = once(stream, 'finish');
  let chunk = '';
  for (const row of rows) {
    chunk += `${row.map(copyText).join('\t')}\n`;
    if (chunk.length >= 1 << 20) {
      if (!stream.write(chunk)) await once(stream, 'drain');
      chunk = '';
    }
  }
  stream.end(chunk);
  await finished;
}

async function startIngest(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/ingest/src/main.ts'], {
    cwd: workspaceRoot,
    env: { ...process.env, ...env, TS_NODE_PROJECT: join(workspaceRoot, 'tsconfig.json') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${env.INGEST_PORT}`;
  const deadline = Date.now() + 120_000;
  while ((await fetch(`${url}/ready`).then((r) => r.status, () => 0)) !== 200) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('ingest did not start');
    await sleep(300);
  }
  return { url, child };
}

/**
 * `npm run vigie -- audit verify --json` (the launcher, then the CLI) in a process of its own,
 * as a compliance officer runs it: the walk is not billed for the audit service and the load
 * generators this process hosts.
 */
async function verifyWithCli(url: string): Promise<VerificationReport> {
  const child = spawn(
    process.execPath,
    [join('tools', 'scripts', 'launch.mjs'), 'run', join('tools', 'cli', 'vigie.ts'), 'audit', 'verify', '--json'],
    { cwd: workspaceRoot, env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  cleanups.add('verify', async () => child.exitCode === null && child.kill('SIGTERM'));
  let output = '';
  let errors = '';
  (child.stdout as NonNullable<typeof child.stdout>).setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  (child.stderr as NonNullable<typeof child.stderr>).setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  // Exit 2 is a tampered log, reported in the JSON like a clean one; anything else is a failure.
  if (code !== 0 && code !== 2) throw new Error(`vigie audit verify exited with ${code}: ${errors.slice(-1000)}`);
  return JSON.parse(output) as VerificationReport;
}

/**
 * Starts the lifecycle producer (tools/bench/support/lifecycle-producer.ts) and waits until its
 * records are built and its producer connected; `go()` lets it send, `done` is how long it took.
 */
async function startProducer(brokers: string[], tenant: string, events: number): Promise<{ go: () => void; failed: () => boolean; done: Promise<number> }> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'tools/bench/support/lifecycle-producer.ts', '--brokers', brokers.join(','), '--tenant', tenant, '--events', String(events)],
    { cwd: workspaceRoot, env: { ...process.env, TS_NODE_PROJECT: join(workspaceRoot, 'tsconfig.json') }, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  cleanups.add('producer', async () => child.exitCode === null && child.kill('SIGTERM'));
  // It says two things, in order: that it is ready, then how long producing took.
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> })[Symbol.asyncIterator]();
  const said = async (key: string): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next();
    const line = done ? undefined : (JSON.parse(value as string) as Record<string, unknown>);
    if (!line || !(key in line)) throw new Error(`the producer process ${done ? 'ended' : `said ${value}`} before saying ${key}`);
    return line;
  };
  await said('ready');
  const done = said('producedMs').then((line) => Number(line.producedMs));
  done.catch(() => undefined);
  return { go: () => child.stdin?.end('go\n'), failed: () => child.exitCode !== null && child.exitCode !== 0, done };
}

/**
 * Grows the log by `count` events of new ads without Kafka: each chunk of ads is chained with
 * the appender's own functions and written by COPY in one transaction holding the append lock,
 * so positions stay gap-free for the projector tailing them. The chain heads follow.
 */
async function seedLog(pool: Pool, tenant: string, count: number, lifecycles: Lifecycles): Promise<number> {
  const started = Date.now();
  const subjectsPerChunk = 20_000;
  let written = 0;
  let lastLog = 0;
  for (let first = 0; written < count; first += subjectsPerChunk) {
    const recordedAt = new Date().toISOString();
    const rows: unknown[][] = [];
    for (let index = first; index < first + subjectsPerChunk && written + rows.length < count; index++) {
      const events = lifecycles.of(tenant, index).slice(0, Math.min(eventsPerSubject, count - written - rows.length));
      const brokerAt = new Date().toISOString();
      const entries = events.map((event, k) => {
        const topic = topicOf(event);
        const broker = { topic, partition: index % partitionsFor(topic), offset: String(index * eventsPerSubject + k), timestamp: brokerAt };
        return { event, broker, prepared: prepareEntry({ event, broker, recordedAt }) };
      });
      const chained = extendChainPrepared(events[0].subject, null, entries.map((entry) => entry.prepared));
      entries.forEach(({ event, broker }, k) =>
        rows.push([event.id, event.subject, tenant, event.type, chained[k].seq, event.correlationId, chained[k].canonical, chained[k].prevHash, chained[k].hash,
          event.occurredAt, broker.timestamp, recordedAt, broker.topic, broker.partition, broker.offset]),
      );
    }
    await withAppendLock(pool, (client) =>
      copyRows(client, 'audit.log (event_id, subject, tenant, type, seq, correlation_id, canonical, prev_hash, hash, occurred_at, broker_at, recorded_at, topic, kafka_partition, kafka_offset)', rows),
    );
    written += rows.length;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  seeded ${written}/${count} (${perSecond(written, Date.now() - started)}/s)`);
    }
  }
  await pool.query(
    `INSERT INTO audit.chain_heads (subject, tenant, seq, hash, position, last_type)
     SELECT DISTINCT ON (subject) subject, tenant, seq, hash, position, type FROM audit.log WHERE tenant = $1 ORDER BY subject, seq DESC`,
    [tenant],
  );
  return Date.now() - started;
}

// Everything started is stopped in reverse order, once, on the way out or on Ctrl-C (a
// database of millions of events is not left behind).
const cleanups = benchCleanups('bench:audit');

async function main(): Promise<void> {
  const kafka = await provisionKafka({ log: (line) => log(`kafka: ${line}`) });
  cleanups.add('kafka', () => kafka.stop());
  const database = await provisionPostgres({ database: 'vigie_bench', log: (line) => log(`postgres: ${line}`) });
  const benchDb = `vigie_bench_audit_${randomBytes(3).toString('hex')}`;
  const adminUrl = databaseUrl(database.url, 'postgres');
  await createDatabaseIfMissing(adminUrl, benchDb);
  // BENCH_KEEP_DATABASE=1 leaves the log in place for a closer look (verify, report, EXPLAIN).
  if (process.env.BENCH_KEEP_DATABASE === '1') log(`the database ${benchDb} is kept (BENCH_KEEP_DATABASE=1): drop it when done`);
  else cleanups.add(`database ${benchDb}`, () => dropDatabaseIfExists(adminUrl, benchDb));
  const url = databaseUrl(database.url, benchDb);
  const scratch = mkdtempSync(join(tmpdir(), 'vigie-audit-bench-'));
  const signingKeyFile = join(scratch, 'signing-key.pem');
  writeFileSync(signingKeyFile, generateSigningKeyPair().privateKeyPem, { mode: 0o600 });
  const adminKey = randomBytes(32).toString('base64url');
  const groupPrefix = `bench-${benchDb}`;
  const ingest = await startIngest({
    KAFKA_BROKERS: kafka.brokers.join(','),
    DATABASE_URL: url,
    INGEST_PORT: String(await findFreePort()),
    INGEST_ADMIN_API_KEY: adminKey,
    VIGIE_SECRETS_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    KAFKA_CONSUMER_START: 'latest',
    KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix,
  });
  cleanups.add('ingest', async () => ingest.child.kill('SIGTERM'));
  const audit = await bootstrapService(auditService, {
    ...process.env,
    KAFKA_BROKERS: kafka.brokers.join(','),
    DATABASE_URL: url,
    AUDIT_PORT: String(await findFreePort()),
    LOG_LEVEL: 'warn',
    KAFKA_CONSUMER_START: 'latest',
    KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix,
    VIGIE_AUTH_URL: ingest.url,
    AUDIT_SIGNING_KEY_FILE: signingKeyFile,
    AUDIT_CHECKPOINT_FILE: join(scratch, 'checkpoints.jsonl'),
    AUDIT_CHECKPOINT_INTERVAL_MS: '0',
    // The lifecycles' SLA deadlines are long past: the dispatcher would publish an alert per case,
    // which the audit then logs too, and the log would hold more than the events timed. The
    // projector still plans the alerts.
    AUDIT_ALERTS_ENABLED: 'false',
  });
  cleanups.add('audit', () => audit.close());
  const pool = new Pool({ connectionString: url, max: 3 });
  // Its last connections may still be closing when the bench database is dropped WITH (FORCE).
  pool.on('error', () => undefined);
  cleanups.add('bench database connection', () => pool.end());
  const count = async () => Number((await pool.query('SELECT count(*) AS n FROM audit.log')).rows[0].n);
  const lastPosition = async () => Number((await pool.query('SELECT coalesce(max(position), 0) AS p FROM audit.log')).rows[0].p);
  const projected = async () => Number((await pool.query(`SELECT coalesce(max(position), 0) AS p FROM audit.projection_progress`)).rows[0].p);
  const lifecycles = new Lifecycles();
  try {
    // The group must own its partitions before anything is produced ("latest" would skip it otherwise).
    const client = createKafkaClient({ brokers: kafka.brokers, clientId: 'bench-audit' });
    const admin = client.admin();
    await admin.connect();
    for (let stable = false; !stable; ) {
      const { groups } = await admin.describeGroups([`${groupPrefix}-audit`]);
      stable = groups[0]?.state === 'Stable' && groups[0].members.length > 0;
      if (!stable) await sleep(500);
    }
    await admin.disconnect();
    await sleep(2000);

    log(`preparing ${totalEvents} events over ${Math.ceil(totalEvents / eventsPerSubject)} ads (one case each) in a producer process`);
    const tenant = `bench-${randomBytes(3).toString('hex')}`;
    const producer = await startProducer(kafka.brokers, tenant, totalEvents);
    const before = await count();
    log('producing and appending...');
    const appendStart = Date.now();
    producer.go();
    let lastLog = 0;
    for (;;) {
      const n = (await count()) - before;
      if (n >= totalEvents) break;
      if (producer.failed()) throw new Error('the producer process failed');
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log(`  ${n}/${totalEvents} appended`);
      }
      await sleep(100);
    }
    const appendMs = Date.now() - appendStart;
    const producedMs = await producer.done;
    const ours = Number((await pool.query(`SELECT count(*) AS n FROM audit.log WHERE tenant = $1`, [tenant])).rows[0].n);
    if (ours !== totalEvents) throw new Error(`the log holds ${ours} of the ${totalEvents} events produced`);
    const appendEventsPerSec = perSecond(totalEvents, appendMs);
    log(`append: ${totalEvents} events in ${appendMs} ms → ${appendEventsPerSec}/s (all produced after ${producedMs} ms)`);

    // The projector tails the log in this process: let it finish before the next phase so that
    // phase is timed alone.
    const catchUps: Record<string, { events: number; ms: number; eventsPerSec: number | null }> = {};
    const catchUp = async (phase: string) => {
      const started = Date.now();
      const from = await projected();
      const target = await lastPosition();
      let lastProgress = 0;
      for (let at = from; at < target; at = await projected()) {
        if (Date.now() - lastProgress > 10_000) {
          lastProgress = Date.now();
          log(`  projected up to ${at}/${target}`);
        }
        await sleep(200);
      }
      const ms = Date.now() - started;
      catchUps[phase] = { events: target - from, ms, eventsPerSec: ms > 0 ? perSecond(target - from, ms) : null };
      log(`projections caught up ${phase}: ${target - from} events in ${ms} ms`);
    };
    await catchUp('after the append');

    log('baseline: COPY of the same rows into an unchained table...');
    await pool.query(`CREATE TABLE public.bench_unchained (LIKE audit.log INCLUDING DEFAULTS)`);
    await pool.query('ALTER TABLE public.bench_unchained ALTER COLUMN position DROP IDENTITY IF EXISTS');
    const copyClient = await pool.connect();
    let copyMs = 0;
    let copied = 0;
    try {
      // As text, so the timed part is only formatting and COPY (no Date round trip).
      const columns = 'position, event_id, subject, tenant, type, seq, correlation_id, canonical, prev_hash, hash, occurred_at, broker_at, recorded_at, topic, kafka_partition, kafka_offset, trace_id';
      const rows = (await copyClient.query<unknown[]>({
        text: `SELECT ${columns.split(', ').map((c) => `${c}::text`).join(', ')} FROM audit.log ORDER BY position`,
        rowMode: 'array',
      })).rows;
      copied = rows.length;
      const copyStart = Date.now();
      await copyRows(copyClient, `public.bench_unchained (${columns})`, rows);
      copyMs = Date.now() - copyStart;
    } finally {
      copyClient.release();
    }
    const copyEventsPerSec = perSecond(copied, copyMs);
    log(`baseline: ${copied} rows in ${copyMs} ms → ${copyEventsPerSec}/s`);
    await pool.query('DROP TABLE public.bench_unchained');

    // Three walks, the median reported: one walk's rate swings by a fifth with what else the
    // machine does meanwhile (the first reader of fresh rows also sets their hint bits).
    const verifyRuns: { records: number; durationMs: number; recordsPerSec: number }[] = [];
    for (let run = 1; run <= VERIFY_RUNS; run++) {
      log(`verify ${run}/${VERIFY_RUNS}...`);
      const walk = await verifyWithCli(url);
      if (!walk.ok) throw new Error(`verify found problems in an untouched log: ${JSON.stringify(walk.findings.slice(0, 3))}`);
      verifyRuns.push({ records: walk.records, durationMs: walk.durationMs, recordsPerSec: walk.recordsPerSec });
      log(`verify: ${walk.records} records in ${walk.durationMs} ms → ${walk.recordsPerSec}/s`);
    }
    const report = [...verifyRuns].sort((a, b) => a.recordsPerSec - b.recordsPerSec)[Math.floor(VERIFY_RUNS / 2)];
    const verifyEventsPerSec = report.recordsPerSec;

    let seed: { events: number; ms: number; eventsPerSec: number } | null = null;
    const missing = reportTarget - (await count());
    if (missing > 0) {
      log(`growing the log by ${missing} events (COPY, chained, under the append lock) for the report...`);
      const ms = await seedLog(pool, `${tenant}-seed`, missing, lifecycles);
      seed = { events: missing, ms, eventsPerSec: perSecond(missing, ms) };
      log(`seeded ${missing} events in ${ms} ms → ${seed.eventsPerSec}/s`);
      await catchUp('after the seed');
    }

    // The report's figures come from an index-only scan, which skips the heap only on pages
    // marked all-visible by a vacuum. Autovacuum (or the audit's stand-in for it, every minute)
    // would get there on its own after a bulk load; the bench does it once, timed, so that every
    // timed report sees the table as it would be minutes later instead of half-vacuumed.
    const vacuumStart = Date.now();
    await pool.query('VACUUM (ANALYZE) audit.case_facts');
    const vacuumMs = Date.now() - vacuumStart;
    log(`case_facts vacuumed in ${vacuumMs} ms`);

    const reportEvents = await count();
    const cases = Number((await pool.query('SELECT count(*) AS n FROM audit.case_facts')).rows[0].n);
    const times: number[] = [];
    for (let i = 0; i < reportCalls; i++) {
      const started = performance.now();
      const answer = await fetch(`${audit.url}/reports/sla`, { headers: { authorization: `Bearer ${adminKey}` } });
      const body = (await answer.json()) as { cases?: number };
      if (answer.status !== 200) throw new Error(`GET /reports/sla answered ${answer.status}`);
      if (body.cases !== cases) throw new Error(`the report counted ${body.cases} cases, the projections hold ${cases}`);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const reportP50Ms = Math.round(times[Math.floor(times.length / 2)]);
    log(`report: p50 ${reportP50Ms} ms over ${reportEvents} events (${cases} cases)`);

    // Signing a checkpoint reads every chain head of each platform that moved, and an evidence
    // bundle rebuilds its checkpoint's tree: both grow with the chains, so they are timed here,
    // at the log's largest. Every platform moved since its last checkpoint (there was none).
    const chains = Number((await pool.query('SELECT count(*) AS n FROM audit.chain_heads')).rows[0].n);
    const checkpointStart = performance.now();
    const issued = await fetch(`${audit.url}/admin/checkpoints`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
    if (issued.status !== 201) throw new Error(`POST /admin/checkpoints answered ${issued.status}`);
    const checkpointMs = Math.round(performance.now() - checkpointStart);
    const { checkpoints: signed } = (await issued.json()) as { checkpoints: unknown[] };
    log(`checkpoints: ${signed.length} signed over ${chains} chains in ${checkpointMs} ms`);
    const [{ case_id: caseId }] = (await pool.query<{ case_id: string }>('SELECT case_id FROM audit.case_facts ORDER BY case_id DESC LIMIT 1')).rows;
    const bundleStart = performance.now();
    const bundle = await fetch(`${audit.url}/cases/${encodeURIComponent(caseId)}/evidence`, { headers: { authorization: `Bearer ${adminKey}` } });
    if (bundle.status !== 200) throw new Error(`GET /cases/${caseId}/evidence answered ${bundle.status}`);
    const { chains: bundleChains } = (await bundle.json()) as { chains: { proof: { treeSize: number } | null }[] };
    const bundleMs = Math.round(performance.now() - bundleStart);
    const bundleTreeSize = bundleChains[0]?.proof?.treeSize ?? 0;
    log(`evidence bundle of ${caseId}: a tree of ${bundleTreeSize} chains in ${bundleMs} ms`);

    const result = {
      generatedAt: new Date().toISOString(),
      machine: machineInfo(loadAverageAtStart),
      events: totalEvents,
      subjects: Math.ceil(totalEvents / eventsPerSubject),
      appendEventsPerSec,
      appendMs,
      producedMs,
      copyEventsPerSec,
      copyMs,
      copyMethod: 'COPY FROM STDIN (text format) of the same rows into a table without indexes, one connection, formatting included',
      ratioToCopy: Math.round((appendEventsPerSec / copyEventsPerSec) * 100) / 100,
      verifyEventsPerSec,
      verifyRecords: report.records,
      verifyRunsEventsPerSec: verifyRuns.map((walk) => walk.recordsPerSec),
      seed,
      // Without autovacuum the audit service vacuums and analyzes its own tables as they grow (AutovacuumStandIn).
      autovacuum: (await pool.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0].autovacuum,
      projection: catchUps,
      reportP50Ms,
      reportVacuumMs: vacuumMs,
      reportEvents,
      reportCases: cases,
      reportTimesMs: times.map((t) => Math.round(t)),
      checkpointMs,
      checkpointChains: chains,
      checkpointPlatforms: signed.length,
      evidenceBundleMs: bundleMs,
      evidenceBundleTreeSize: bundleTreeSize,
      targets: { appendEventsPerSec: 20000, ratioToCopy: 0.5, verifyEventsPerSec: 100000, reportP50Ms: 1000, reportEvents: 10_000_000 },
    };
    mkdirSync(join(workspaceRoot, 'bench', 'results'), { recursive: true });
    writeFileSync(join(workspaceRoot, 'bench', 'results', 'audit.json'), `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote bench/results/audit.json: ${JSON.stringify(result)}`);
  } finally {
    await cleanups.run();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench:audit failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);

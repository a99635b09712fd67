// `npm run bench:audit`: the audit log's throughput against a real broker and database.
// Writes bench/results/audit.json. Not a test: it reports figures and ratios.
//
// - appendEventsPerSec: N events produced to the domain topics, timed from the first send until
//   all N are chained into audit.log by the audit's real consumer (inbox, batch transaction,
//   hash chain, heads, offsets).
// - copyEventsPerSec: the same rows (read back from the log) written into an unchained table
//   without indexes by one multi-row INSERT … SELECT FROM json per 1,000 rows on one
//   connection. pg-copy-streams is not installed, so this is the bulk-insert baseline rather
//   than COPY FROM STDIN; `copyMethod` says so.
// - verifyEventsPerSec: `verify` over the whole log (the same code as the CLI).
// - reportP50Ms: median of GET /reports/sla over the log just appended (BENCH_AUDIT_EVENTS
//   events, default 200,000; the 10M-event target needs BENCH_AUDIT_EVENTS=10000000 and time).
import { generateSigningKeyPair } from '@vigie/audit-chain';
import { EVENT_DEFINITIONS, encodeEvent, topicOf, uuidv7, type AnyEvent } from '@vigie/contracts';
import { createKafkaClient, KafkaEventPublisher, type OutgoingRecord } from '@vigie/messaging';
import { createDatabaseIfMissing, databaseUrl, dropDatabaseIfExists, findFreePort, provisionKafka, provisionPostgres } from '@vigie/provisioning';
import { bootstrapService } from '@vigie/service-kit';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { auditService } from '../../apps/audit/src/audit.service';
import { verifyAuditLog } from '../../apps/audit/src/verification/services/log-verifier';

const totalEvents = Number(process.env.BENCH_AUDIT_EVENTS ?? 200_000);
const eventsPerSubject = 5;
const reportCalls = Number(process.env.BENCH_AUDIT_REPORT_CALLS ?? 11);
const workspaceRoot = join(__dirname, '..', '..');
const log = (line: string) => console.log(`bench:audit ▸ ${line}`);
const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const LIFECYCLE = ['ad.ingested', 'ad.scored', 'case.opened', 'case.decided', 'takedown.confirmed'];

function eventsFor(tenant: string, count: number): AnyEvent[] {
  const examples = new Map(LIFECYCLE.map((type) => [type, EVENT_DEFINITIONS.find((d) => d.type === type)?.example]));
  const events: AnyEvent[] = [];
  for (let i = 0; events.length < count; i++) {
    const subject = `${tenant}:ad-${i}`;
    for (let k = 0; k < eventsPerSubject && events.length < count; k++) {
      const type = LIFECYCLE[k % LIFECYCLE.length];
      events.push({ ...(examples.get(type) as AnyEvent), id: uuidv7(), tenant, subject, correlationId: type.startsWith('ad.') ? null : `case-${i}` } as AnyEvent);
    }
  }
  return events;
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

async function main(): Promise<void> {
  const kafka = await provisionKafka({ log: (line) => log(`kafka: ${line}`) });
  const database = await provisionPostgres({ database: 'vigie_bench', log: (line) => log(`postgres: ${line}`) });
  const benchDb = `vigie_bench_audit_${randomBytes(3).toString('hex')}`;
  const adminUrl = databaseUrl(database.url, 'postgres');
  await createDatabaseIfMissing(adminUrl, benchDb);
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
  });
  const pool = new Pool({ connectionString: url, max: 3 });
  const count = async () => Number((await pool.query('SELECT count(*) AS n FROM audit.log')).rows[0].n);
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

    log(`preparing ${totalEvents} events over ${Math.ceil(totalEvents / eventsPerSubject)} subjects`);
    const tenant = `bench-${randomBytes(3).toString('hex')}`;
    const records: OutgoingRecord[] = eventsFor(tenant, totalEvents).map((event) => ({ topic: topicOf(event), key: event.subject, value: encodeEvent(event), headers: {} }));
    const publisher = new KafkaEventPublisher(client);
    await publisher.connect();
    log('producing and appending...');
    const appendStart = Date.now();
    const producing = (async () => {
      for (let i = 0; i < records.length; i += 5000) await publisher.publish(records.slice(i, i + 5000));
    })();
    let lastLog = 0;
    for (;;) {
      const n = await count();
      if (n >= totalEvents) break;
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log(`  ${n}/${totalEvents} appended`);
      }
      await sleep(100);
    }
    const appendMs = Date.now() - appendStart;
    await producing;
    await publisher.disconnect();
    const appendEventsPerSec = perSecond(totalEvents, appendMs);
    log(`append: ${totalEvents} events in ${appendMs} ms → ${appendEventsPerSec}/s`);

    log('baseline: the same rows into an unchained table...');
    await pool.query(`CREATE TABLE public.bench_unchained (LIKE audit.log INCLUDING DEFAULTS)`);
    await pool.query('ALTER TABLE public.bench_unchained ALTER COLUMN position DROP IDENTITY IF EXISTS');
    const rows = (await pool.query(
      `SELECT position, event_id, subject, tenant, type, seq, correlation_id, canonical, prev_hash, hash, occurred_at, broker_at, recorded_at, topic, kafka_partition, kafka_offset FROM audit.log ORDER BY position`,
    )).rows;
    const copyStart = Date.now();
    for (let i = 0; i < rows.length; i += 1000) {
      await pool.query(
        `INSERT INTO public.bench_unchained SELECT * FROM json_populate_recordset(NULL::public.bench_unchained, $1::json)`,
        [JSON.stringify(rows.slice(i, i + 1000))],
      );
    }
    const copyMs = Date.now() - copyStart;
    const copyEventsPerSec = perSecond(rows.length, copyMs);
    log(`baseline: ${rows.length} rows in ${copyMs} ms → ${copyEventsPerSec}/s`);

    log('verify...');
    const report = await verifyAuditLog(async (sql, params) => (await pool.query(sql, params)).rows);
    if (!report.ok) throw new Error(`verify found problems in an untouched log: ${JSON.stringify(report.findings.slice(0, 3))}`);
    const verifyEventsPerSec = report.recordsPerSec;
    log(`verify: ${report.records} records in ${report.durationMs} ms → ${verifyEventsPerSec}/s`);

    let reportP50Ms: number | null = null;
    let reportEvents: number | null = null;
    const probe = await fetch(`${audit.url}/reports/sla`, { headers: { authorization: `Bearer ${adminKey}` } });
    if (probe.status === 404) {
      log('GET /reports/sla is not there: report figures left null');
    } else {
      await sleep(5000); // let the projections tail what was just appended
      reportEvents = await count();
      const times: number[] = [];
      for (let i = 0; i < reportCalls; i++) {
        const started = performance.now();
        const answer = await fetch(`${audit.url}/reports/sla`, { headers: { authorization: `Bearer ${adminKey}` } });
        await answer.text();
        if (answer.status !== 200) throw new Error(`GET /reports/sla answered ${answer.status}`);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      reportP50Ms = Math.round(times[Math.floor(times.length / 2)]);
      log(`report: p50 ${reportP50Ms} ms over ${reportEvents} events`);
    }

    const result = {
      generatedAt: new Date().toISOString(),
      events: totalEvents,
      subjects: Math.ceil(totalEvents / eventsPerSubject),
      appendEventsPerSec,
      appendMs,
      copyEventsPerSec,
      copyMethod: 'multi-row INSERT … SELECT FROM json_populate_recordset, 1,000 rows per statement, no indexes (pg-copy-streams is not installed)',
      ratioToCopy: Math.round((appendEventsPerSec / copyEventsPerSec) * 100) / 100,
      verifyEventsPerSec,
      reportP50Ms,
      reportEvents,
      targets: { appendEventsPerSec: 20000, ratioToCopy: 0.5, verifyEventsPerSec: 100000, reportP50Ms: 1000, reportEvents: 10_000_000 },
    };
    mkdirSync(join(workspaceRoot, 'bench', 'results'), { recursive: true });
    writeFileSync(join(workspaceRoot, 'bench', 'results', 'audit.json'), `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote bench/results/audit.json: ${JSON.stringify(result)}`);
  } finally {
    await pool.end();
    await audit.close().catch(() => undefined);
    ingest.child.kill('SIGTERM');
    await dropDatabaseIfExists(adminUrl, benchDb).catch(() => undefined);
    await kafka.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench:audit failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);

// `npm run bench:pipeline`: the whole of Vigie end to end (issue 9), against its own broker and
// a fresh database: ingest → ads.ingested.v1 → scoring → ads.scored.v1 → audit, side by side
// with Kafka's own ProducerPerformance / ConsumerPerformance moving records of the same size in
// the same run. Writes bench/results/pipeline.json. Not a test: it reports figures, ratios and
// whether the targets are met.
//
// Phases (the four services run compiled, one process each, as `npm start` runs them):
//   warm-up     a few thousand ads through the whole pipeline (JIT, pools, consumer groups).
//   raw Kafka   ProducerPerformance then ConsumerPerformance (kafka-tools of the broker's
//               version, the provisioned JDK) on a topic with as many partitions as
//               ads.ingested.v1, records drawn from serialized ad.ingested events.
//   throughput  BENCH_PIPELINE_ADS ads pushed to POST /platforms/{id}/ads (batches of 1,000,
//               BENCH_CONCURRENCY requests in flight) as fast as ingest accepts them; the clock
//               stops when the audit has recorded the last one's ad.scored (audit.log).
//   latency     BENCH_LATENCY_RATE ads/s for BENCH_LATENCY_S seconds (open loop: a small batch
//               every BENCH_LATENCY_TICK_MS whatever the answers); per ad, ingest's receipt time
//               (the ad.ingested event's receivedAt) to the audit's recorded_at of its ad.scored.
// Meanwhile each service's resident memory is sampled (and its VmHWM read at the end), its CPU
// counted per phase, and the consumer groups' lag on ads.ingested.v1 / ads.scored.v1 sampled.
//
// Settings (environment):
//   BENCH_PIPELINE_ADS         ads of the throughput phase (default 30000)
//   BENCH_CONCURRENCY          batch requests in flight in the throughput phase (default 4)
//   BENCH_LATENCY_RATE         ads per second of the latency phase (default 1000)
//   BENCH_LATENCY_S            seconds of the latency phase (default 30)
//   BENCH_LATENCY_TICK_MS      one batch every so many ms in the latency phase (default 100)
//   BENCH_LATENCY_MAX_IN_FLIGHT  requests in flight at most in the latency phase; beyond, sending
//                              falls behind schedule and the rate achieved says so (default 16,
//                              ingest's own INGEST_MAX_CONCURRENT_INTAKES: beyond it answers 429)
//   BENCH_WARMUP_ADS           ads of the warm-up (default 3000)
//   BENCH_RAW_RECORDS          records of each Kafka tool (default 200000)
//   BENCH_DRAIN_TIMEOUT_S      longest wait for the pipeline to catch up after a phase (default 120);
//                              what is not recorded by then is reported as missing and fails the target
//   BENCH_NODE_FLAGS           extra node flags for the four services, e.g.
//                              `--cpu-prof --cpu-prof-dir=/tmp/pipeline-prof` (one profile per service)
//   BENCH_SERVICE_NODE_OPTIONS the four services' own node options replaced by these (default: theirs,
//                              libs/provisioning/src/services/service-processes.ts); "none" for V8's defaults
//   KAFKA_BROKERS / DATABASE_URL  use these instead of provisioning a broker / database
import { prepareSubmittedAd } from '@vigie/ad-intake';
import { allTopicNames, createEvent, encodeEvent, partitionsFor, subjectFor, Topics } from '@vigie/contracts';
import { createKafkaClient, ensureTopics } from '@vigie/messaging';
import {
  createDatabaseIfMissing,
  databaseUrl,
  dropDatabaseIfExists,
  findFreePort,
  kafkaDistribution,
  provisionKafka,
  provisionPostgres,
  serviceNodeArgs,
  serviceProcessSpec,
} from '@vigie/provisioning';
import type { Admin } from 'kafkajs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { benchAd } from './support/bench-ads';
import { summariseLatestProfile } from './support/cpu-profile-summary';
import { benchCleanups } from './support/cleanups';
import { machineInfo } from './support/machine-info';
import { consumerPerformance, producerPerformance, type KafkaToolsContext } from './support/kafka-perf-tools';
import { groupCpuMeter, localPortOwners, memorySampler, pidsWithArgs, procStatusMb, type GroupCpuReport, type ProcessMemoryReport } from './support/process-probes';

const throughputAds = Number(process.env.BENCH_PIPELINE_ADS ?? 30000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const latencyRate = Number(process.env.BENCH_LATENCY_RATE ?? 1000);
const latencySeconds = Number(process.env.BENCH_LATENCY_S ?? 30);
const latencyTickMs = Number(process.env.BENCH_LATENCY_TICK_MS ?? 100);
const latencyMaxInFlight = Number(process.env.BENCH_LATENCY_MAX_IN_FLIGHT ?? 16);
const warmupAds = Number(process.env.BENCH_WARMUP_ADS ?? 3000);
const rawRecords = Number(process.env.BENCH_RAW_RECORDS ?? 200000);
const drainTimeoutMs = Number(process.env.BENCH_DRAIN_TIMEOUT_S ?? 120) * 1000;
const serviceNodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag.length > 0);
const serviceNodeOptions = process.env.BENCH_SERVICE_NODE_OPTIONS?.split(' ').filter((option) => option.length > 0 && option !== 'none');
const profileDir = serviceNodeFlags.find((flag) => flag.startsWith('--cpu-prof-dir='))?.slice('--cpu-prof-dir='.length);
const adsPerBatch = 1000;

const TARGETS = { endToEndAdsPerSec: 5000, p99Ms: 500, ratioToRawKafka: 0.25, serviceRssMb: 300 };
const SERVICE_NAMES = ['ingest', 'scoring', 'notice-and-takedown', 'audit'] as const;
type ServiceName = (typeof SERVICE_NAMES)[number];
/** Who consumes what on the ad path (the lag sampled per group and topic). */
const LAGGED: Record<Exclude<ServiceName, 'ingest'>, string[]> = {
  scoring: [Topics.AdsIngested],
  'notice-and-takedown': [Topics.AdsIngested, Topics.AdsScored],
  audit: [Topics.AdsIngested, Topics.AdsScored],
};

const workspaceRoot = join(__dirname, '..', '..');
const log = (line: string) => console.log(`bench:pipeline ▸ ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;
const loadAverageAtStart = loadavg();

// Everything started is stopped in reverse order, once, on the way out or on Ctrl-C.
const cleanups = benchCleanups('bench:pipeline');

async function main(): Promise<void> {
  const startedAt = Date.now();
  log(
    `settings: throughput ${throughputAds} ads (${concurrency} × ${adsPerBatch} in flight), latency ${latencyRate} ads/s for ${latencySeconds} s, ` +
      `warm-up ${warmupAds} ads, raw Kafka ${rawRecords} records, drain timeout ${drainTimeoutMs / 1000} s`,
  );
  compileServices();
  const [kafka, database] = await Promise.all([
    provisionKafka({ log: (line) => log(`kafka: ${line}`) }),
    provisionPostgres({ database: 'vigie_bench', log: (line) => log(`postgres: ${line}`) }),
  ]);
  cleanups.add('kafka', () => kafka.stop());
  cleanups.add('postgres', () => database.stop());
  const distribution = await kafkaDistribution((line) => log(`kafka tools: ${line}`));
  const benchDb = `vigie_bench_pipeline_${randomBytes(3).toString('hex')}`;
  const adminUrl = databaseUrl(database.url, 'postgres');
  await createDatabaseIfMissing(adminUrl, benchDb);
  cleanups.add(`database ${benchDb}`, () => dropDatabaseIfExists(adminUrl, benchDb));
  const dbUrl = databaseUrl(database.url, benchDb);
  const scratch = mkdtempSync(join(tmpdir(), 'vigie-pipeline-bench-'));
  cleanups.add('scratch folder', async () => rmSync(scratch, { recursive: true, force: true }));

  const client = createKafkaClient({ brokers: kafka.brokers, clientId: 'vigie-bench-pipeline' });
  const rawTopic = `bench.raw-kafka-${randomBytes(3).toString('hex')}`;
  await ensureTopics(client, [
    ...allTopicNames({ withDlq: true }).map((name) => ({ name, partitions: partitionsFor(name) })),
    { name: rawTopic, partitions: partitionsFor(Topics.AdsIngested) },
  ]);
  const admin = client.admin();
  await admin.connect();
  cleanups.add('kafka admin client', () => admin.disconnect());

  // The services, as `npm start` runs them, each consumer group new to this run.
  const groupPrefix = `bench-${benchDb}`;
  const adminKey = randomBytes(32).toString('base64url');
  const signingKeyFile = join(scratch, 'signing-key.pem');
  writeFileSync(signingKeyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
  const common = {
    KAFKA_BROKERS: kafka.brokers.join(','),
    DATABASE_URL: dbUrl,
    LOG_LEVEL: 'warn',
    KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix,
    // A broker of our own holds nothing else; on a given one, skip its history.
    KAFKA_CONSUMER_START: kafka.managed ? 'earliest' : 'latest',
  };
  const ports = Object.fromEntries(await Promise.all(SERVICE_NAMES.map(async (name) => [name, await findFreePort()] as const))) as Record<ServiceName, number>;
  const urls = Object.fromEntries(SERVICE_NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}`])) as Record<ServiceName, string>;
  const children = {} as Record<ServiceName, ChildProcess>;
  const start = (name: ServiceName, env: Record<string, string>) => {
    const { main, portVariable } = serviceProcessSpec(name);
    children[name] = startChild(name, [...serviceNodeFlags, ...serviceNodeArgs(main, serviceNodeOptions)], { ...common, ...env, [portVariable]: String(ports[name]) });
  };
  log('starting ingest...');
  start('ingest', { INGEST_ADMIN_API_KEY: adminKey, VIGIE_SECRETS_KEY: randomBytes(32).toString('hex') });
  await waitReady(urls.ingest, children.ingest);
  log('starting scoring, notice-and-takedown and audit...');
  start('scoring', { VIGIE_AUTH_URL: urls.ingest });
  start('notice-and-takedown', { VIGIE_AUTH_URL: urls.ingest, VIGIE_SERVICE_API_KEY: adminKey });
  start('audit', { VIGIE_AUTH_URL: urls.ingest, AUDIT_SIGNING_KEY_FILE: signingKeyFile, AUDIT_CHECKPOINT_FILE: join(scratch, 'checkpoints.jsonl') });
  await Promise.all((['scoring', 'notice-and-takedown', 'audit'] as const).map((name) => waitReady(urls[name], children[name])));
  const pids = Object.fromEntries(SERVICE_NAMES.map((name) => [name, children[name].pid])) as Record<ServiceName, number | undefined>;
  const memory = memorySampler(pids);
  let memoryReport: Record<string, ProcessMemoryReport> | undefined;
  cleanups.add('memory sampler', async () => void (memoryReport ??= memory.stop()));
  await waitForStableGroups(admin, SERVICE_NAMES.map((name) => `${groupPrefix}-${name}`));
  log(`services ready (pids ${JSON.stringify(pids)}), consumer groups stable`);

  const platformKeys: Record<string, string> = {};
  for (const id of ['bench-warm', 'bench-tput', 'bench-lat']) {
    platformKeys[id] = (await post(urls.ingest, '/admin/platforms', adminKey, { id, name: `Benchmark ${id}`, integrationMode: 'http' })).apiKey as string;
  }
  const db = new Pool({ connectionString: dbUrl, max: 2 });
  // Its last connections may still be closing when the stack drops its database WITH (FORCE).
  db.on('error', () => undefined);
  cleanups.add('bench database pool', () => db.end());
  const tail = new AuditTail(db);
  await tail.start();
  cleanups.add('audit tail', () => tail.stop());
  const lag = new LagSampler(admin, groupPrefix);
  cleanups.add('lag sampler', async () => void lag.stop());
  const cores = cpus().length;
  // CPU per phase of each service, of the broker (when the bench started it) and of the
  // database backends serving this database (when the server runs on this machine).
  const brokerPids = kafka.managed ? pidsWithArgs('kafka.Kafka', `${join('.cache', 'kafka', `run-${process.pid}-`)}`) : [];
  const localDatabase = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(dbUrl).hostname);
  // Each backend is put down to the service whose connection it serves (by the client's port).
  const backendsOf = new Map<string, Set<number>>();
  const refreshBackends = async () => {
    if (!localDatabase) return;
    const { rows } = await db.query<{ pid: number; port: number | null }>(
      'SELECT pid, client_port AS port FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    const owners = localPortOwners({ ...pids, bench: process.pid });
    for (const { pid, port } of rows) {
      const owner = (port !== null && owners.get(port)) || 'other';
      if (owner === 'bench') continue; // the bench's own queries
      if (!backendsOf.has(owner)) backendsOf.set(owner, new Set());
      backendsOf.get(owner)?.add(pid);
    }
  };
  const cpuGroups = () => ({
    ...Object.fromEntries(SERVICE_NAMES.map((name) => [name, pids[name] === undefined ? [] : [pids[name] as number]])),
    ...(brokerPids.length > 0 ? { 'kafka broker': brokerPids } : {}),
    ...Object.fromEntries([...backendsOf].map(([owner, backends]) => [`postgres ← ${owner}`, [...backends]])),
  });
  const cpuMeter = async () => {
    await refreshBackends();
    const meter = groupCpuMeter(cpuGroups, cores);
    return { stop: async () => (await refreshBackends(), meter.stop()) };
  };
  log(`CPU is counted for the services${brokerPids.length > 0 ? `, the broker (pid ${brokerPids.join(', ')})` : ''}${localDatabase ? ' and the database backends' : ''}`);

  // ── warm-up ──────────────────────────────────────────────────────────────────────────────
  log(`warm-up: ${warmupAds} ads through the pipeline...`);
  const warmStarted = Date.now();
  await pushBatches(urls.ingest, 'bench-warm', platformKeys['bench-warm'], batchBodies('warm', warmupAds, adsPerBatch), 2);
  await tail.waitForScored('bench-warm', warmupAds, Math.min(drainTimeoutMs, 90000), 'warm-up', true);
  log(`warm-up: ${warmupAds} ads scored and recorded in ${((Date.now() - warmStarted) / 1000).toFixed(1)} s`);
  await waitForQuiet(lag);
  const rssAfter: Record<string, Record<string, number | null>> = { warmUp: currentRss(pids) };
  const heapAfter: Record<string, Record<string, HeapFigures | null>> = { warmUp: await heapFigures(urls) };

  // ── raw Kafka ────────────────────────────────────────────────────────────────────────────
  const payloads = Array.from({ length: 1000 }, (_, i) => serializedAdEvent(i));
  const recordBytes = Math.round(payloads.reduce((sum, payload) => sum + Buffer.byteLength(payload), 0) / payloads.length);
  const tools: KafkaToolsContext = { java: distribution.java, libsDir: distribution.libsDir, brokers: kafka.brokers, workDir: scratch };
  log(`raw Kafka: ProducerPerformance, ${rawRecords} records of ${recordBytes} bytes (serialized ad.ingested events) to ${rawTopic}...`);
  const producerCpu = await cpuMeter();
  const producer = await producerPerformance(tools, { topic: rawTopic, records: rawRecords, payloads });
  const producerCpuReport = await producerCpu.stop();
  log(`raw Kafka: producer ${producer.recordsPerSec} records/s (${producer.mbPerSec} MB/s, p99 ${producer.p99Ms} ms)`);
  log('raw Kafka: ConsumerPerformance...');
  const consumerCpu = await cpuMeter();
  const consumer = await consumerPerformance(tools, { topic: rawTopic, records: rawRecords, group: `bench-raw-${benchDb}` });
  const consumerCpuReport = await consumerCpu.stop();
  log(`raw Kafka: consumer ${consumer.fetchRecordsPerSec} records/s while fetching (${consumer.recordsPerSec} records/s with the ${consumer.rebalanceMs} ms group join)`);
  const rawKafkaAdsPerSec = Math.min(producer.recordsPerSec, consumer.fetchRecordsPerSec);

  // ── throughput ───────────────────────────────────────────────────────────────────────────
  log(`throughput: ${throughputAds} ads, ${concurrency} batches of ${adsPerBatch} in flight...`);
  const bodies = batchBodies('tput', throughputAds, adsPerBatch);
  const tputCpu = await cpuMeter();
  lag.start();
  const tputStarted = Date.now();
  const pushed = await pushBatches(urls.ingest, 'bench-tput', platformKeys['bench-tput'], bodies, concurrency);
  const pushedAt = Date.now();
  log(`throughput: all ${throughputAds} ads accepted by ingest in ${((pushedAt - tputStarted) / 1000).toFixed(1)} s; waiting for the audit...`);
  const lagWhenPushed = lag.latest();
  const tputDrained = await tail.waitForScored('bench-tput', throughputAds, drainTimeoutMs, 'the throughput phase', true);
  const tputCpuReport = await tputCpu.stop();
  const tputLag = lag.stop();
  rssAfter.throughput = currentRss(pids);
  heapAfter.throughput = await heapFigures(urls);
  const scoredTput = tail.counts('bench-tput');
  const lastScoredMs = scoredTput.lastScoredAt?.getTime() ?? Date.now();
  const tputMs = Math.max(1, lastScoredMs - tputStarted);
  const endToEndAdsPerSec = Math.round((scoredTput.scored / tputMs) * 1000);
  log(
    `throughput: ${scoredTput.scored}/${throughputAds} ads scored and recorded in ${(tputMs / 1000).toFixed(1)} s → ${endToEndAdsPerSec} ads/s ` +
      `(CPU % of a core: ${JSON.stringify(tputCpuReport.processes)}, machine busy ${tputCpuReport.machineBusyPercent}%)`,
  );
  log(`throughput: CPU ms per 1,000 ads: ${JSON.stringify(perThousandAds(tputCpuReport, scoredTput.scored))}`);
  await waitForQuiet(lag);

  // ── latency at a fixed rate ──────────────────────────────────────────────────────────────
  const adsPerTick = Math.max(1, Math.round((latencyRate * latencyTickMs) / 1000));
  const ticks = Math.round((latencySeconds * 1000) / latencyTickMs);
  const latencyAds = adsPerTick * ticks;
  log(`latency: ${latencyAds} ads at ${latencyRate} ads/s (${adsPerTick} every ${latencyTickMs} ms) for ${latencySeconds} s...`);
  const positionBefore = tail.position;
  const latencyBodies = batchBodies('lat', latencyAds, adsPerTick);
  const latCpu = await cpuMeter();
  lag.start();
  const sent = await openLoop(urls.ingest, 'bench-lat', platformKeys['bench-lat'], latencyBodies, latencyTickMs, latencyMaxInFlight);
  log(
    `latency: sent ${latencyAds} ads in ${(sent.ms / 1000).toFixed(1)} s (${Math.round((latencyAds / sent.ms) * 1000)} ads/s, at most ${sent.maxInFlight} requests in flight, ` +
      `at most ${Math.round(sent.maxBehindMs)} ms behind schedule); waiting for the audit...`,
  );
  const latDrained = await tail.waitForScored('bench-lat', latencyAds, drainTimeoutMs, 'the latency phase', true);
  const latCpuReport = await latCpu.stop();
  // The receipt times are in the ad.ingested records: wait for those too (the figures are not affected).
  await tail.waitForIngested('bench-lat', latencyAds, 30000, 'the latency phase');
  const latLag = lag.stop();
  rssAfter.latency = currentRss(pids);
  heapAfter.latency = await heapFigures(urls);
  const latency = await latencyBreakdown(db, 'bench-lat', positionBefore);
  const missing = latencyAds - latency.ads;
  log(`latency: p50 ${latency.endToEnd.p50Ms} ms, p99 ${latency.endToEnd.p99Ms} ms over ${latency.ads} ads (${missing} not recorded in time)`);
  log(`latency by stage (p50 / p99 ms): ${Object.entries(latency.stages).map(([stage, figures]) => `${stage} ${figures.p50Ms} / ${figures.p99Ms}`).join(', ')}`);

  memoryReport = memory.stop();
  const servicesRss = Object.fromEntries(SERVICE_NAMES.map((name) => [name, memoryReport?.[name]]));
  const peaks = SERVICE_NAMES.map((name) => memoryReport?.[name]?.peakRssMb ?? memoryReport?.[name]?.maxSampledRssMb ?? Number.NaN);
  const maxServiceRssMb = Math.max(...peaks);
  const auditEvents = await auditEventTypes(db);

  let profiles: Record<string, unknown> | undefined;
  if (profileDir) {
    log('stopping the services to collect their CPU profiles...');
    profiles = {};
    for (const name of SERVICE_NAMES) {
      const dir = join(profileDir, name);
      await stopChild(children[name]);
      profiles[name] = summariseLatestProfile(dir);
    }
  }

  const ratioToRawKafka = round(endToEndAdsPerSec / rawKafkaAdsPerSec, 3);
  const p99Ms = latency.endToEnd.p99Ms;
  const result = {
    measuredAt: new Date().toISOString(),
    machine: machineInfo(loadAverageAtStart),
    setup: {
      throughputAds,
      adsPerBatch,
      concurrency,
      latency: { rate: latencyRate, seconds: latencySeconds, tickMs: latencyTickMs, adsPerTick, ads: latencyAds, maxInFlight: latencyMaxInFlight },
      warmupAds,
      rawRecords,
      recordBytes,
      drainTimeoutS: drainTimeoutMs / 1000,
      processes: 'ingest, scoring, notice-and-takedown and audit each in its own node process (compiled, dist/), as npm start runs them; the load generator in the bench process',
      kafka: { brokers: kafka.managed ? 'provisioned by the bench (single node, same machine)' : 'given (KAFKA_BROKERS)', version: distribution.version, partitions: partitionsFor(Topics.AdsIngested) },
      database: database.kind,
      serviceNodeFlags,
      serviceNodeOptions: serviceNodeOptions ?? 'each service its own (libs/provisioning/src/services/service-processes.ts)',
      benchSeconds: Math.round((Date.now() - startedAt) / 1000),
    },
    endToEndAdsPerSec,
    p50Ms: latency.endToEnd.p50Ms,
    p99Ms,
    rateForLatency: latencyRate,
    rawKafkaAdsPerSec,
    rawKafkaProducerRecordsPerSec: producer.recordsPerSec,
    rawKafkaConsumerRecordsPerSec: consumer.fetchRecordsPerSec,
    ratioToRawKafka,
    maxServiceRssMb,
    serviceRssMb: Object.fromEntries(SERVICE_NAMES.map((name, i) => [name, peaks[i]])),
    throughput: {
      ads: throughputAds,
      scored: scoredTput.scored,
      complete: tputDrained,
      seconds: round(tputMs / 1000, 1),
      ingestAcceptedAdsPerSec: Math.round((throughputAds / Math.max(1, pushedAt - tputStarted)) * 1000),
      ingestRetries: pushed.retries,
      rescored: scoredTput.rescored,
      lagWhenIngestFinished: lagWhenPushed,
      lag: tputLag,
      cpu: tputCpuReport,
      cpuMsPer1000Ads: perThousandAds(tputCpuReport, scoredTput.scored),
    },
    latency: {
      ads: latencyAds,
      recorded: latency.ads,
      missing,
      complete: latDrained,
      sentAdsPerSec: Math.round((latencyAds / sent.ms) * 1000),
      maxRequestsInFlight: sent.maxInFlight,
      maxBehindScheduleMs: Math.round(sent.maxBehindMs),
      ingestRetries: sent.retries,
      endToEnd: latency.endToEnd,
      stages: latency.stages,
      lag: latLag,
      cpu: latCpuReport,
      cpuMsPer1000Ads: perThousandAds(latCpuReport, latency.ads),
    },
    rawKafka: {
      topic: { partitions: partitionsFor(Topics.AdsIngested), recordBytes, payloads: payloads.length },
      producer: { ...producer, settings: "ProducerPerformance --throughput -1, the producer's defaults (acks=all, idempotent)", cpu: producerCpuReport },
      consumer: { ...consumer, note: 'rawKafkaConsumerRecordsPerSec is fetch.nMsg.sec (the group join excluded; the services had joined theirs before the phases)', cpu: consumerCpuReport },
    },
    services: { rss: servicesRss, rssMbAfterPhase: rssAfter, heapMbAfterPhase: heapAfter },
    auditEventsByType: auditEvents,
    ...(profiles ? { profiles } : {}),
    targets: {
      endToEndAdsPerSec: { target: TARGETS.endToEndAdsPerSec, comparison: '>=', value: endToEndAdsPerSec, met: tputDrained && endToEndAdsPerSec >= TARGETS.endToEndAdsPerSec },
      // Only at the rate asked for: when ingest could not take it, the latency was not measured at that rate.
      p99Ms: {
        target: TARGETS.p99Ms,
        comparison: '<',
        value: p99Ms,
        atRate: latencyRate,
        sentAdsPerSec: Math.round((latencyAds / sent.ms) * 1000),
        met: missing === 0 && p99Ms !== null && p99Ms < TARGETS.p99Ms && (latencyAds / sent.ms) * 1000 >= 0.95 * latencyRate,
      },
      ratioToRawKafka: { target: TARGETS.ratioToRawKafka, comparison: '>=', value: ratioToRawKafka, met: tputDrained && ratioToRawKafka >= TARGETS.ratioToRawKafka },
      maxServiceRssMb: { target: TARGETS.serviceRssMb, comparison: '<', value: maxServiceRssMb, met: peaks.every((peak) => peak < TARGETS.serviceRssMb) },
    },
  };
  mkdirSync(join(workspaceRoot, 'bench', 'results'), { recursive: true });
  writeFileSync(join(workspaceRoot, 'bench', 'results', 'pipeline.json'), `${JSON.stringify(result, null, 2)}\n`);
  log(
    `written bench/results/pipeline.json\n${JSON.stringify(
      { ...result, throughput: { ...result.throughput, lag: undefined, cpu: result.throughput.cpu.processes }, latency: { ...result.latency, lag: undefined, cpu: result.latency.cpu.processes }, rawKafka: undefined, profiles: undefined },
      null,
      2,
    )}`,
  );
  if (profiles) log(`CPU profiles of the services (whole run):\n${JSON.stringify(profiles, null, 2)}`);
}

/** What each service's V8 heap and off-heap memory hold (its /metrics, loopback): where the RSS goes. */
interface HeapFigures {
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

async function heapFigures(urls: Record<string, string>): Promise<Record<string, HeapFigures | null>> {
  const mb = (text: string, metric: string): number => {
    const value = new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1];
    return value === undefined ? Number.NaN : Math.round(Number(value) / 1048576);
  };
  const entries = await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      try {
        const text = await (await fetch(`${url}/metrics`)).text();
        const figures = { heapUsedMb: mb(text, 'nodejs_heap_size_used_bytes'), heapTotalMb: mb(text, 'nodejs_heap_size_total_bytes'), externalMb: mb(text, 'nodejs_external_memory_bytes') };
        return [name, figures] as const;
      } catch {
        return [name, null] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

function currentRss(pids: Record<string, number | undefined>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid === undefined ? null : procStatusMb(pid, 'VmRSS')]));
}

/** CPU time per 1,000 ads of each group over a phase: steadier than rates on a shared machine. */
function perThousandAds(report: GroupCpuReport, ads: number): Record<string, number | null> & { total: number } {
  const figures: Record<string, number | null> = {};
  let total = 0;
  for (const [name, ms] of Object.entries(report.cpuMs)) {
    figures[name] = ms === null || ads === 0 ? null : Math.round((ms / ads) * 1000);
    if (ms !== null && !name.startsWith('bench')) total += ms;
  }
  return { ...figures, total: ads === 0 ? 0 : Math.round((total / ads) * 1000) };
}

/** The four services, compiled into dist/ (only what they import). */
function compileServices(): void {
  log('compiling the four services into dist/...');
  const buildConfig = join(workspaceRoot, 'dist', 'tsconfig.bench-pipeline.json');
  mkdirSync(dirname(buildConfig), { recursive: true });
  writeFileSync(
    buildConfig,
    JSON.stringify({
      extends: '../tsconfig.build.json',
      compilerOptions: { tsBuildInfoFile: './.tsbuildinfo-bench-pipeline' },
      include: [],
      files: SERVICE_NAMES.map((name) => `../${serviceProcessSpec(name).main}`),
    }),
  );
  if (spawnSync(join('node_modules', '.bin', 'tsc'), ['-p', buildConfig], { cwd: workspaceRoot, stdio: 'inherit' }).status !== 0) {
    throw new Error('the build failed');
  }
}

function startChild(name: ServiceName, args: string[], env: Record<string, string>): ChildProcess {
  // A CPU profile per service: each in its own folder so they are told apart.
  const flags = profileDir ? args.map((arg) => (arg.startsWith('--cpu-prof-dir=') ? `--cpu-prof-dir=${join(profileDir, name)}` : arg)) : args;
  const child = spawn(process.execPath, flags, { cwd: workspaceRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
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
  const deadline = Date.now() + 150000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the process behind ${base} exited with code ${child.exitCode}`);
    const status = await fetch(`${base}/ready`).then((r) => r.status, () => 0);
    if (status === 200) return;
    await sleep(300);
  }
  throw new Error(`${base} did not become ready`);
}

async function waitForStableGroups(admin: Admin, groupIds: string[]): Promise<void> {
  const deadline = Date.now() + 90000;
  for (;;) {
    const { groups } = await admin.describeGroups(groupIds);
    const unstable = groups.filter((group) => group.state !== 'Stable' || group.members.length === 0).map((group) => `${group.groupId} (${group.state})`);
    if (unstable.length === 0) break;
    if (Date.now() > deadline) throw new Error(`consumer groups did not stabilise: ${unstable.join(', ')}`);
    await sleep(300);
  }
  await sleep(1000); // their first fetches pin the start offsets
}

async function post(base: string, path: string, key: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${text.slice(0, 500)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/**
 * One batch to ingest, as a platform would send it: on 429 or 503 (backpressure) it waits as
 * told and sends again, on another 5xx or a network error it retries a few times. A retried
 * batch may find some of its ads already recorded (answered `duplicate`): they count as taken.
 */
async function pushBatch(base: string, platform: string, key: string, body: { json: string; ads: number }): Promise<number> {
  for (let retries = 0; ; retries++) {
    let status = 0;
    let text = '';
    let retryAfterS = 0;
    try {
      const response = await fetch(`${base}/platforms/${platform}/ads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body.json,
      });
      status = response.status;
      retryAfterS = Number(response.headers.get('retry-after') ?? 0);
      text = await response.text();
    } catch (error) {
      text = (error as Error).message;
    }
    const backpressure = status === 429 || status === 503;
    if ((backpressure && retries < 200) || ((status === 0 || status >= 500) && retries < 5)) {
      if (!backpressure) log(`POST /platforms/${platform}/ads: ${status || 'no answer'} ${text.slice(0, 200)}; retrying`);
      await sleep(Math.min(2000, retryAfterS * 1000 || 100 * (retries + 1)));
      continue;
    }
    if (status < 200 || status >= 300) throw new Error(`POST /platforms/${platform}/ads: ${status || 'no answer'} ${text.slice(0, 500)}`);
    const report = JSON.parse(text) as { accepted?: number; duplicates?: number };
    const taken = (report.accepted ?? 0) + (retries > 0 ? (report.duplicates ?? 0) : 0);
    if (taken !== body.ads) throw new Error(`POST /platforms/${platform}/ads took ${taken} of ${body.ads}: ${text.slice(0, 500)}`);
    return retries;
  }
}

/** Request bodies prepared before a phase starts, so the load generator's CPU stays out of the measurement. */
function batchBodies(run: string, ads: number, perBatch: number): { json: string; ads: number }[] {
  const bodies: { json: string; ads: number }[] = [];
  for (let start = 0; start < ads; start += perBatch) {
    const count = Math.min(perBatch, ads - start);
    bodies.push({ json: JSON.stringify(Array.from({ length: count }, (_, i) => benchAd(run, start + i))), ads: count });
  }
  return bodies;
}

async function pushBatches(base: string, platform: string, key: string, bodies: { json: string; ads: number }[], width: number): Promise<{ retries: number }> {
  let next = 0;
  let retries = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, width) }, async () => {
      while (next < bodies.length) retries += await pushBatch(base, platform, key, bodies[next++]);
    }),
  );
  return { retries };
}

/**
 * Sends one batch every `tickMs` on a fixed schedule, whether or not the earlier ones were
 * answered, with at most `maxInFlight` requests open (beyond that it waits, and falls behind).
 */
async function openLoop(base: string, platform: string, key: string, bodies: { json: string; ads: number }[], tickMs: number, maxInFlight: number) {
  const started = performance.now();
  let inFlight = 0;
  let mostInFlight = 0;
  let maxBehindMs = 0;
  let retries = 0;
  let failure: unknown;
  let freed: (() => void) | undefined;
  const requests: Promise<void>[] = [];
  for (let k = 0; k < bodies.length && failure === undefined; k++) {
    const due = started + k * tickMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    while (inFlight >= maxInFlight) await new Promise<void>((resolve) => (freed = resolve));
    maxBehindMs = Math.max(maxBehindMs, performance.now() - due);
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    const done = () => {
      inFlight--;
      freed?.();
      freed = undefined;
    };
    requests.push(
      pushBatch(base, platform, key, bodies[k]).then(
        (r) => {
          retries += r;
          done();
        },
        (error: unknown) => {
          failure ??= error;
          done();
        },
      ),
    );
  }
  await Promise.all(requests);
  if (failure !== undefined) throw failure;
  return { ms: performance.now() - started, maxInFlight: mostInFlight, maxBehindMs, retries };
}

/** One serialized ad.ingested event as ingest publishes it for a bench ad (the raw Kafka records). */
function serializedAdEvent(index: number): string {
  const receivedAt = new Date();
  const prepared = prepareSubmittedAd(benchAd('raw', index), { receivedAt, maxFutureSkewMs: 300000 });
  if (!prepared.ok) throw new Error(`bench ad refused: ${JSON.stringify(prepared.problems)}`);
  const { ad, originalText, contentHash } = prepared.normalised;
  const event = createEvent('ad.ingested', {
    tenant: 'bench',
    subject: subjectFor('bench', ad.platformAdId),
    source: 'ingest',
    occurredAt: receivedAt,
    data: { ...ad, originalText, contentHash, adVersion: 1, receivedAt: receivedAt.toISOString(), channel: 'http-batch' },
  });
  return encodeEvent(event).toString();
}

interface TenantCounts {
  ingested: number;
  scored: number;
  rescored: number;
  lastScoredAt: Date | null;
}

/**
 * Follows audit.log by position (appends hold a lock until they commit, so positions become
 * visible in order and a cursor misses nothing): ad.ingested, ad.scored and ad.rescored records
 * per tenant, and when the last ad.scored was recorded.
 */
class AuditTail {
  position = '0';
  private readonly tenants = new Map<string, TenantCounts>();
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly db: Pool) {}

  async start(): Promise<void> {
    this.running = true;
    await this.poll();
    this.loop = (async () => {
      while (this.running) {
        await sleep(200);
        await this.poll().catch((error: unknown) => log(`audit tail: ${(error as Error).message}`));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  counts(tenant: string): TenantCounts {
    return this.tenants.get(tenant) ?? { ingested: 0, scored: 0, rescored: 0, lastScoredAt: null };
  }

  private async poll(): Promise<void> {
    const upTo = (await this.db.query<{ p: string | null }>('SELECT max(position)::text AS p FROM audit.log')).rows[0]?.p;
    if (!upTo || upTo === this.position) return;
    const { rows } = await this.db.query<{ tenant: string; type: string; n: number; last: Date }>(
      `SELECT tenant, type, count(*)::int AS n, max(recorded_at) AS last
         FROM audit.log WHERE position > $1 AND position <= $2 AND type IN ('ad.ingested', 'ad.scored', 'ad.rescored')
        GROUP BY tenant, type`,
      [this.position, upTo],
    );
    for (const row of rows) {
      const counts = this.tenants.get(row.tenant) ?? { ingested: 0, scored: 0, rescored: 0, lastScoredAt: null };
      if (row.type === 'ad.scored') {
        counts.scored += row.n;
        if (!counts.lastScoredAt || row.last > counts.lastScoredAt) counts.lastScoredAt = row.last;
      } else if (row.type === 'ad.ingested') counts.ingested += row.n;
      else counts.rescored += row.n;
      this.tenants.set(row.tenant, counts);
    }
    this.position = upTo;
  }

  /** Waits until `expected` ad.scored of the tenant are in the log; false when the time ran out first. */
  waitForScored(tenant: string, expected: number, timeoutMs: number, what: string, tolerateTimeout = false): Promise<boolean> {
    return this.waitFor(tenant, 'scored', expected, timeoutMs, what, tolerateTimeout);
  }

  /**
   * Waits until `expected` ad.ingested of the tenant are in the log too: the audit consumes
   * ads.ingested.v1 and ads.scored.v1 independently, so an ad's ad.scored may be recorded
   * before its ad.ingested (which holds the receipt time).
   */
  waitForIngested(tenant: string, expected: number, timeoutMs: number, what: string): Promise<boolean> {
    return this.waitFor(tenant, 'ingested', expected, timeoutMs, what, true);
  }

  private async waitFor(tenant: string, kind: 'scored' | 'ingested', expected: number, timeoutMs: number, what: string, tolerateTimeout: boolean): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let lastLog = Date.now();
    const records = kind === 'scored' ? 'ads scored and recorded' : 'ad.ingested recorded';
    while (this.counts(tenant)[kind] < expected) {
      if (Date.now() > deadline) {
        const message = `${what}: only ${this.counts(tenant)[kind]} of ${expected} ${records} after ${timeoutMs / 1000} s`;
        if (!tolerateTimeout) throw new Error(message);
        log(`${message}; measuring what was recorded`);
        return false;
      }
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log(`  ${what}: ${this.counts(tenant)[kind]}/${expected} ${records}`);
      }
      await sleep(100);
    }
    return true;
  }
}

interface LagReport {
  /** Largest lag seen per consumer group and topic (records not yet committed). */
  max: Record<string, Record<string, number>>;
  /** Seconds from the phase's start, then the lag per group and topic. */
  timeline: { s: number; lag: Record<string, Record<string, number>> }[];
}

/** Samples the services' consumer-group lag on the ad path every second. */
class LagSampler {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private samples: LagReport['timeline'] = [];
  private last: Record<string, Record<string, number>> = {};
  private busy = false;

  constructor(
    private readonly admin: Admin,
    private readonly groupPrefix: string,
  ) {}

  async sample(): Promise<Record<string, Record<string, number>>> {
    const topics = [Topics.AdsIngested, Topics.AdsScored];
    const highs = new Map<string, Map<number, bigint>>();
    for (const topic of topics) highs.set(topic, new Map((await this.admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)])));
    const lag: Record<string, Record<string, number>> = {};
    for (const [service, consumed] of Object.entries(LAGGED)) {
      lag[service] = {};
      for (const { topic, partitions } of await this.admin.fetchOffsets({ groupId: `${this.groupPrefix}-${service}`, topics: consumed })) {
        let total = 0n;
        for (const { partition, offset } of partitions) {
          const high = highs.get(topic)?.get(partition) ?? 0n;
          const committed = BigInt(offset) < 0n ? 0n : BigInt(offset);
          if (high > committed) total += high - committed;
        }
        lag[service][topic] = Number(total);
      }
    }
    return lag;
  }

  start(): void {
    this.samples = [];
    this.startedAt = Date.now();
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.sample()
        .then((lag) => {
          this.last = lag;
          this.samples.push({ s: round((Date.now() - this.startedAt) / 1000, 1), lag });
        })
        .catch(() => undefined)
        .finally(() => (this.busy = false));
    }, 1000);
  }

  latest(): Record<string, Record<string, number>> {
    return this.last;
  }

  stop(): LagReport {
    clearInterval(this.timer);
    const max: LagReport['max'] = {};
    for (const { lag } of this.samples) {
      for (const [service, topics] of Object.entries(lag)) {
        max[service] ??= {};
        for (const [topic, value] of Object.entries(topics)) max[service][topic] = Math.max(max[service][topic] ?? 0, value);
      }
    }
    // At most about 60 points: enough to see who falls behind and when.
    const every = Math.max(1, Math.ceil(this.samples.length / 60));
    return { max, timeline: this.samples.filter((_, i) => i % every === 0) };
  }
}

/** Waits (a minute at most) until no consumer on the ad path lags, so one phase's backlog does not spill into the next. */
async function waitForQuiet(lag: LagSampler): Promise<void> {
  const deadline = Date.now() + 60000;
  for (;;) {
    const sample = await lag.sample();
    const behind = Object.entries(sample).flatMap(([service, topics]) => Object.entries(topics).filter(([, n]) => n > 0).map(([topic, n]) => `${service} ${topic} ${n}`));
    if (behind.length === 0) return;
    if (Date.now() > deadline) {
      log(`still behind after a minute: ${behind.join(', ')}; going on`);
      return;
    }
    await sleep(500);
  }
}

const percentile = (sorted: number[], p: number): number | null =>
  sorted.length === 0 ? null : round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))], 1);

function figures(values: number[]) {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  return {
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: percentile(sorted, 100),
    meanMs: sorted.length === 0 ? null : round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length, 1),
  };
}

/**
 * Per ad of the tenant recorded after `afterPosition`: ingest's receipt time (the ad.ingested
 * event's receivedAt) to the audit's recorded_at of its ad.scored, and the stages between:
 * ingest (receipt → ad.ingested on the broker), scoring (→ ad.scored created), scoring's outbox
 * relay (→ ad.scored on the broker), audit (→ ad.scored recorded).
 */
async function latencyBreakdown(db: Pool, tenant: string, afterPosition: string) {
  const { rows } = await db.query<{ received: number; ingested_broker: number; scored_created: number; scored_broker: number; scored_recorded: number }>(
    `SELECT extract(epoch FROM (i.canonical::json->'event'->'data'->>'receivedAt')::timestamptz) * 1000 AS received,
            extract(epoch FROM i.broker_at) * 1000 AS ingested_broker,
            extract(epoch FROM s.occurred_at) * 1000 AS scored_created,
            extract(epoch FROM s.broker_at) * 1000 AS scored_broker,
            extract(epoch FROM s.recorded_at) * 1000 AS scored_recorded
       FROM audit.log s
       JOIN audit.log i ON i.subject = s.subject AND i.type = 'ad.ingested'
      WHERE s.tenant = $1 AND s.type = 'ad.scored' AND s.position > $2`,
    [tenant, afterPosition],
  );
  const of = (pick: (row: (typeof rows)[number]) => number) => figures(rows.map((row) => pick(row)));
  return {
    ads: rows.length,
    endToEnd: of((r) => r.scored_recorded - r.received),
    stages: {
      'ingest (receipt → ad.ingested on the broker)': of((r) => r.ingested_broker - r.received),
      'scoring (ad.ingested on the broker → ad.scored created)': of((r) => r.scored_created - r.ingested_broker),
      "scoring's outbox relay (created → ad.scored on the broker)": of((r) => r.scored_broker - r.scored_created),
      'audit (ad.scored on the broker → recorded)': of((r) => r.scored_recorded - r.scored_broker),
    },
  };
}

async function auditEventTypes(db: Pool): Promise<Record<string, number>> {
  const { rows } = await db.query<{ type: string; n: number }>('SELECT type, count(*)::int AS n FROM audit.log GROUP BY type ORDER BY n DESC');
  return Object.fromEntries(rows.map((row) => [row.type, row.n]));
}

main()
  .then(() => cleanups.run())
  .then(() => process.exit(0))
  .catch(async (error) => {
    console.error(error);
    await cleanups.run();
    process.exit(1);
  });

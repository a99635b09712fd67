// `npm run bench:ingest`: throughput of the ingest service against a real broker and
// database, side by side with a bare kafkajs producer sending the same records in the same
// run. Writes bench/results/ingest.json. Not a test: it reports figures and ratios.
import { prepareSubmittedAd } from '@vigie/ad-intake';
import { createEvent, encodeEvent, partitionsFor, subjectFor, Topics } from '@vigie/contracts';
import { createKafkaClient, ensureTopics, KafkaEventPublisher, toOutgoingRecord } from '@vigie/messaging';
import { Partitioners } from 'kafkajs';
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
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { benchAd } from './support/bench-ads';

const batchAds = Number(process.env.BENCH_BATCH_ADS ?? 60000);
const ndjsonAds = Number(process.env.BENCH_NDJSON_ADS ?? 1000000);
const kafkaAds = Number(process.env.BENCH_KAFKA_ADS ?? 60000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const adsPerBatch = 1000;
// Extra node flags for the ingest process only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
// (node refuses --cpu-prof in NODE_OPTIONS).
const ingestNodeFlags = (process.env.BENCH_INGEST_NODE_FLAGS ?? '').split(' ').filter((flag) => flag.length > 0);
const workspaceRoot = join(__dirname, '..', '..');
const INGEST_MAIN = serviceProcessSpec('ingest').main;
const log = (line: string) => console.log(`bench:ingest ▸ ${line}`);
const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000);
const per1000 = (ms: number, count: number) => (count > 0 ? Math.round((ms / count) * 1000) : 0);

async function main(): Promise<void> {
  log('compiling the ingest service into dist/...');
  // Only the ingest entry point and what it imports: work in progress elsewhere in the
  // workspace must not stop the benchmark of this service.
  const buildConfig = join(workspaceRoot, 'dist', 'tsconfig.bench-ingest.json');
  mkdirSync(dirname(buildConfig), { recursive: true });
  writeFileSync(
    buildConfig,
    JSON.stringify({
      extends: '../tsconfig.build.json',
      compilerOptions: { tsBuildInfoFile: './.tsbuildinfo-bench-ingest' },
      include: [],
      files: [`../${INGEST_MAIN}`],
    }),
  );
  if (spawnSync(join('node_modules', '.bin', 'tsc'), ['-p', buildConfig], { cwd: workspaceRoot, stdio: 'inherit' }).status !== 0) {
    throw new Error('the build failed');
  }
  const kafka = await provisionKafka({ log: (line) => log(`kafka: ${line}`) });
  const database = await provisionPostgres({ database: 'vigie_bench', log: (line) => log(`postgres: ${line}`) });
  const benchDb = `vigie_bench_${randomBytes(3).toString('hex')}`;
  const adminUrl = databaseUrl(database.url, 'postgres');
  await createDatabaseIfMissing(adminUrl, benchDb);
  const port = await findFreePort();
  const adminKey = randomBytes(32).toString('base64url');
  const startIngest = () => spawn(
    process.execPath,
    [...ingestNodeFlags, ...serviceNodeArgs(INGEST_MAIN)],
    {
      cwd: workspaceRoot,
      env: {
        ...process.env,
        KAFKA_BROKERS: kafka.brokers.join(','),
        DATABASE_URL: databaseUrl(database.url, benchDb),
        INGEST_PORT: String(port),
        INGEST_ADMIN_API_KEY: adminKey,
        INGEST_MAX_CONCURRENT_INTAKES: String(concurrency * 2),
        LOG_LEVEL: 'warn',
        KAFKA_CONSUMER_GROUP_PREFIX: `bench-${benchDb}`,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  let ingest = startIngest();
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(base);
    const created = await post(base, '/admin/platforms', adminKey, { id: 'bench', name: 'Benchmark platform', integrationMode: 'http' });
    const key = created.apiKey as string;
    const client = createKafkaClient({ brokers: kafka.brokers, clientId: 'vigie-bench' });
    const publisher = new KafkaEventPublisher(client);
    await publisher.connect();

    // The baseline: a bare kafkajs producer configured as ingest's publisher (idempotent,
    // acks=all, one request in flight, murmur2 partitioner), sending the records ingest would
    // publish for the same ads (normalised ad.ingested events, same headers, same sizes) to a
    // topic with as many partitions, in the batches and concurrency the API clients use.
    // Records are built before the clock starts: the figure is the producer alone.
    const rawTopic = 'bench.raw-producer';
    await ensureTopics(client, [{ name: rawTopic, partitions: partitionsFor(Topics.AdsIngested) }]);
    const rawProducer = client.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await rawProducer.connect();
    const receivedAt = new Date();
    const rawBatches = Array.from({ length: batchAds / adsPerBatch }, (_, b) =>
      Array.from({ length: adsPerBatch }, (_, i) => {
        const prepared = prepareSubmittedAd(benchAd('raw', b * adsPerBatch + i), { receivedAt, maxFutureSkewMs: 300000 });
        if (!prepared.ok) throw new Error(`bench ad refused: ${JSON.stringify(prepared.problems)}`);
        const { ad, originalText, contentHash } = prepared.normalised;
        const event = createEvent('ad.ingested', {
          tenant: 'bench',
          subject: subjectFor('bench', ad.platformAdId),
          source: 'ingest',
          occurredAt: receivedAt,
          data: { ...ad, originalText, contentHash, adVersion: 1, receivedAt: receivedAt.toISOString(), channel: 'http-batch' },
        });
        const record = toOutgoingRecord(event, rawTopic);
        return { key: record.key, value: record.value, headers: record.headers };
      }),
    );
    log(`raw producer: ${batchAds} records (${rawBatches[0][0].value.length} bytes each), ${concurrency} batches of ${adsPerBatch} in flight`);
    const rawMs = await inParallel(rawBatches.length, concurrency, async (b) => {
      await rawProducer.sendBatch({ acks: -1, topicMessages: [{ topic: rawTopic, messages: rawBatches[b] }] });
    });
    await rawProducer.disconnect();
    const rawProducerAdsPerSec = perSecond(batchAds, rawMs);
    log(`raw producer: ${rawProducerAdsPerSec} ads/s`);

    log(`batch API: ${batchAds} ads, ${concurrency} requests of ${adsPerBatch} in flight`);
    const ingestPid = ingest.pid as number;
    const rssMbAfter: Record<string, number> = { start: rssMb(ingestPid) };
    const batchCpuBefore = cpuMs(ingestPid);
    const batchMs = await inParallel(batchAds / adsPerBatch, concurrency, async (b) => {
      const ads = Array.from({ length: adsPerBatch }, (_, i) => benchAd('batch', b * adsPerBatch + i));
      const report = await post(base, '/platforms/bench/ads', key, ads);
      if (report.accepted !== adsPerBatch) throw new Error(`batch ${b}: ${JSON.stringify(report).slice(0, 500)}`);
    });
    const batchAdsPerSec = perSecond(batchAds, batchMs);
    const batchIngestCpuMsPer1000Ads = per1000(cpuMs(ingestPid) - batchCpuBefore, batchAds);
    rssMbAfter.batch = rssMb(ingestPid);
    log(`memory after the batch phase: ${await memoryBreakdown(base)}`);
    log(`batch API: ${batchAdsPerSec} ads/s (ingest CPU ${batchIngestCpuMsPer1000Ads} ms per 1,000 ads)`);

    log(`Kafka-native: ${kafkaAds} ad.submitted produced to ${Topics.AdsSubmitted}`);
    const kafkaStarted = Date.now();
    const kafkaCpuBefore = cpuMs(ingestPid);
    await inParallel(kafkaAds / adsPerBatch, concurrency, (b) =>
      publisher.publish(
        Array.from({ length: adsPerBatch }, (_, i) => {
          const ad = benchAd('kafka', b * adsPerBatch + i);
          const event = createEvent('ad.submitted', { tenant: 'bench', subject: subjectFor('bench', ad.platformAdId), source: 'platform:bench', data: ad });
          return { topic: Topics.AdsSubmitted, key: event.subject, value: encodeEvent(event), headers: {} };
        }),
      ),
    );
    await waitForCount(base, 'kafka', kafkaAds, 600000);
    const kafkaNativeAdsPerSec = perSecond(kafkaAds, Date.now() - kafkaStarted);
    const kafkaIngestCpuMsPer1000Ads = per1000(cpuMs(ingestPid) - kafkaCpuBefore, kafkaAds);
    rssMbAfter.kafkaNative = rssMb(ingestPid);
    log(`memory after the Kafka-native phase: ${await memoryBreakdown(base)}`);
    log(`Kafka-native: ${kafkaNativeAdsPerSec} ads/s (ingest CPU ${kafkaIngestCpuMsPer1000Ads} ms per 1,000 ads)`);

    // The import runs on a fresh process: the target is the footprint of streaming a backfill,
    // which the heap the earlier phases grew (and V8 keeps) would hide.
    ingest.kill('SIGTERM');
    await new Promise((resolve) => ingest.once('exit', resolve));
    ingest = startIngest();
    await waitReady(base);
    const ndjsonPid = ingest.pid as number;
    log(`NDJSON: streaming ${ndjsonAds} ads in one request, to a restarted ingest`);
    // The service's resident memory, sampled over the import only: where it starts, and its
    // peak while streaming.
    const rssBeforeNdjsonMb = rssMb(ndjsonPid);
    let peakRssMb = rssBeforeNdjsonMb;
    const sampler = setInterval(() => {
      peakRssMb = Math.max(peakRssMb, rssMb(ndjsonPid));
    }, 100);
    const ndjsonStarted = Date.now();
    const ndjsonCpuBefore = cpuMs(ndjsonPid);
    const streamed = { sent: 0 };
    // Minutes of streaming: say how far it is.
    const progress = setInterval(() => {
      const seconds = (Date.now() - ndjsonStarted) / 1000;
      log(`  NDJSON: ${streamed.sent}/${ndjsonAds} lines sent in ${Math.round(seconds)} s (${perSecond(streamed.sent, seconds * 1000)}/s), RSS ${rssMb(ndjsonPid)} MB`);
    }, 15_000);
    const ndjsonReport = await postNdjson(base, '/platforms/bench/ads/ndjson', key, ndjsonLines(ndjsonAds, streamed)).finally(() => clearInterval(progress));
    const ndjsonMs = Date.now() - ndjsonStarted;
    clearInterval(sampler);
    log(`memory after the NDJSON phase: ${await memoryBreakdown(base)}`);
    if (ndjsonReport.accepted !== ndjsonAds) throw new Error(`NDJSON: ${JSON.stringify(ndjsonReport).slice(0, 500)}`);
    const ndjsonAdsPerSec = perSecond(ndjsonAds, ndjsonMs);
    const ndjsonIngestCpuMsPer1000Ads = per1000(cpuMs(ndjsonPid) - ndjsonCpuBefore, ndjsonAds);
    log(`NDJSON: ${ndjsonAdsPerSec} ads/s, peak RSS ${peakRssMb} MB (${rssBeforeNdjsonMb} MB when it started), ingest CPU ${ndjsonIngestCpuMsPer1000Ads} ms per 1,000 ads`);
    await publisher.disconnect();

    const result = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
      setup: { batchAds, ndjsonAds, kafkaAds, adsPerBatch, concurrency, brokerColocated: true, database: database.kind },
      batchAdsPerSec,
      ndjsonAdsPerSec,
      kafkaNativeAdsPerSec,
      rawProducerAdsPerSec,
      ratioToRawProducer: Math.round((batchAdsPerSec / rawProducerAdsPerSec) * 100) / 100,
      peakRssMb,
      rssBeforeNdjsonMb,
      // Diagnostics: the first process's resident memory when the phases started and after each
      // one (the NDJSON import then runs on a fresh process: peakRssMb, rssBeforeNdjsonMb).
      rssMbAfter,
      // Diagnostics: the ingest process's own CPU time per 1,000 ads in each phase.
      ingestCpuMsPer1000Ads: { batch: batchIngestCpuMsPer1000Ads, ndjson: ndjsonIngestCpuMsPer1000Ads, kafkaNative: kafkaIngestCpuMsPer1000Ads },
      targets: {
        batchAdsPerSec: { target: 20000, met: batchAdsPerSec >= 20000 },
        ratioToRawProducer: { target: 0.5, met: batchAdsPerSec / rawProducerAdsPerSec >= 0.5 },
        peakRssMb: { target: 300, met: peakRssMb < 300 },
      },
    };
    mkdirSync(join(workspaceRoot, 'bench', 'results'), { recursive: true });
    writeFileSync(join(workspaceRoot, 'bench', 'results', 'ingest.json'), `${JSON.stringify(result, null, 2)}\n`);
    log(`written bench/results/ingest.json\n${JSON.stringify(result, null, 2)}`);
  } finally {
    ingest.kill('SIGTERM');
    await new Promise((resolve) => ingest.once('exit', resolve));
    await dropDatabaseIfExists(adminUrl, benchDb);
    await Promise.allSettled([kafka.stop(), database.stop()]);
  }
}

async function inParallel(count: number, width: number, task: (index: number) => Promise<void>): Promise<number> {
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return Date.now() - started;
}

async function post(base: string, path: string, key: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}

/** The lines of the import; `progress.sent` counts those the request body has taken so far. */
function* ndjsonLines(count: number, progress: { sent: number } = { sent: 0 }): Generator<Buffer> {
  const linesPerChunk = 200;
  for (let start = 0; start < count; start += linesPerChunk) {
    let chunk = '';
    const end = Math.min(count, start + linesPerChunk);
    for (let i = start; i < end; i++) chunk += `${JSON.stringify(benchAd('ndjson', i))}\n`;
    yield Buffer.from(chunk);
    // The body is pulled with backpressure, so what was taken is close to what ingest has read.
    progress.sent = end;
  }
}

async function postNdjson(base: string, path: string, key: string, lines: Iterable<Buffer>): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
    body: Readable.toWeb(Readable.from(lines)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  return (await response.json()) as Record<string, unknown>;
}

async function waitReady(base: string): Promise<void> {
  const deadline = Date.now() + 120000;
  while (Date.now() < deadline) {
    const status = await fetch(`${base}/ready`).then((r) => r.status, () => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error('ingest did not become ready');
}

async function waitForCount(base: string, channel: string, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pattern = new RegExp(`vigie_ingest_ads_total\\{[^}]*outcome="accepted"[^}]*channel="${channel}"[^}]*\\} (\\d+)`);
  while (Date.now() < deadline) {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const count = Number(pattern.exec(metrics)?.[1] ?? 0);
    if (count >= expected) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`only part of the ${expected} Kafka-native ads was ingested in time`);
}

/** CPU time (user + system) the process has used so far, in ms: less noisy than wall time on a shared machine. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat (12 and 13 after the command name).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
}

const clockTicksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Heap and off-heap memory as the service reports them on /metrics, for the log. */
async function memoryBreakdown(base: string): Promise<string> {
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const mb = (name: string) => Math.round(Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(metrics)?.[1] ?? 0) / 2 ** 20);
  return `heap used ${mb('nodejs_heap_size_used_bytes')} MB of ${mb('nodejs_heap_size_total_bytes')} MB, external ${mb('nodejs_external_memory_bytes')} MB, RSS ${mb('process_resident_memory_bytes')} MB`;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

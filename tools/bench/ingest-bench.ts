// `npm run bench:ingest`: throughput of the ingest service against a real broker and
// database, side by side with a bare kafkajs producer sending the same records in the same
// run. Writes bench/results/ingest.json. Not a test: it reports figures and ratios.
import { createEvent, encodeEvent, subjectFor, Topics } from '@vigie/contracts';
import { createKafkaClient, ensureTopics, KafkaEventPublisher, type OutgoingRecord } from '@vigie/messaging';
import {
  createDatabaseIfMissing,
  databaseUrl,
  dropDatabaseIfExists,
  findFreePort,
  provisionKafka,
  provisionPostgres,
} from '@vigie/provisioning';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { serviceNodeArgs } from '../scripts/support/services';
import { benchAd } from './support/bench-ads';

const batchAds = Number(process.env.BENCH_BATCH_ADS ?? 60000);
const ndjsonAds = Number(process.env.BENCH_NDJSON_ADS ?? 1000000);
const kafkaAds = Number(process.env.BENCH_KAFKA_ADS ?? 60000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const adsPerBatch = 1000;
const workspaceRoot = join(__dirname, '..', '..');
const log = (line: string) => console.log(`bench:ingest ▸ ${line}`);
const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000);

async function main(): Promise<void> {
  log('compiling (npm run build)...');
  if (spawnSync(join('node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: workspaceRoot, stdio: 'inherit' }).status !== 0) {
    throw new Error('the build failed');
  }
  const kafka = await provisionKafka({ log: (line) => log(`kafka: ${line}`) });
  const database = await provisionPostgres({ database: 'vigie_bench', log: (line) => log(`postgres: ${line}`) });
  const benchDb = `vigie_bench_${randomBytes(3).toString('hex')}`;
  const adminUrl = databaseUrl(database.url, 'postgres');
  await createDatabaseIfMissing(adminUrl, benchDb);
  const port = await findFreePort();
  const adminKey = randomBytes(32).toString('base64url');
  const ingest = spawn(
    process.execPath,
    serviceNodeArgs('apps/ingest/src/main.ts'),
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
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(base);
    const created = await post(base, '/admin/platforms', adminKey, { id: 'bench', name: 'Benchmark platform', integrationMode: 'http' });
    const key = created.apiKey as string;
    const client = createKafkaClient({ brokers: kafka.brokers, clientId: 'vigie-bench' });
    await ensureTopics(client, [{ name: 'bench.raw-producer', partitions: 6 }]);
    const publisher = new KafkaEventPublisher(client);
    await publisher.connect();

    log(`raw producer: ${batchAds} records of the same size, ${concurrency} batches of ${adsPerBatch} in flight`);
    const rawRecords = (run: string, start: number): OutgoingRecord[] =>
      Array.from({ length: adsPerBatch }, (_, i) => {
        const ad = benchAd(run, start + i);
        const event = createEvent('ad.ingested', {
          tenant: 'bench',
          subject: subjectFor('bench', ad.platformAdId),
          source: 'ingest',
          data: { ...ad, originalText: { title: ad.title, body: ad.body }, contentHash: 'a'.repeat(64), adVersion: 1, receivedAt: new Date().toISOString(), channel: 'http-batch' },
        });
        return { topic: 'bench.raw-producer', key: event.subject, value: encodeEvent(event), headers: { 'vigie-event-id': event.id } };
      });
    // Records are built before the clock starts: the raw figure is the producer alone.
    const rawBatches = Array.from({ length: batchAds / adsPerBatch }, (_, b) => rawRecords('raw', b * adsPerBatch));
    const rawMs = await inParallel(rawBatches.length, concurrency, (b) => publisher.publish(rawBatches[b]));
    const rawProducerAdsPerSec = perSecond(batchAds, rawMs);
    log(`raw producer: ${rawProducerAdsPerSec} ads/s`);

    log(`batch API: ${batchAds} ads, ${concurrency} requests of ${adsPerBatch} in flight`);
    const batchMs = await inParallel(batchAds / adsPerBatch, concurrency, async (b) => {
      const ads = Array.from({ length: adsPerBatch }, (_, i) => benchAd('batch', b * adsPerBatch + i));
      const report = await post(base, '/platforms/bench/ads', key, ads);
      if (report.accepted !== adsPerBatch) throw new Error(`batch ${b}: ${JSON.stringify(report).slice(0, 500)}`);
    });
    const batchAdsPerSec = perSecond(batchAds, batchMs);
    log(`batch API: ${batchAdsPerSec} ads/s`);

    log(`Kafka-native: ${kafkaAds} ad.submitted produced to ${Topics.AdsSubmitted}`);
    const kafkaStarted = Date.now();
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
    log(`Kafka-native: ${kafkaNativeAdsPerSec} ads/s`);

    log(`NDJSON: streaming ${ndjsonAds} ads in one request`);
    let peakRssMb = 0;
    const sampler = setInterval(() => {
      peakRssMb = Math.max(peakRssMb, rssMb(ingest.pid as number));
    }, 200);
    const ndjsonStarted = Date.now();
    const ndjsonReport = await postNdjson(base, '/platforms/bench/ads/ndjson', key, ndjsonLines(ndjsonAds));
    const ndjsonMs = Date.now() - ndjsonStarted;
    clearInterval(sampler);
    if (ndjsonReport.accepted !== ndjsonAds) throw new Error(`NDJSON: ${JSON.stringify(ndjsonReport).slice(0, 500)}`);
    const ndjsonAdsPerSec = perSecond(ndjsonAds, ndjsonMs);
    log(`NDJSON: ${ndjsonAdsPerSec} ads/s, peak RSS ${peakRssMb} MB`);
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

function* ndjsonLines(count: number): Generator<Buffer> {
  const linesPerChunk = 200;
  for (let start = 0; start < count; start += linesPerChunk) {
    let chunk = '';
    for (let i = start; i < Math.min(count, start + linesPerChunk); i++) chunk += `${JSON.stringify(benchAd('ndjson', i))}\n`;
    yield Buffer.from(chunk);
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

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

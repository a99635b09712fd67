import { EVENT_DEFINITIONS, Topics, allTopicNames, partitionsFor, type Ad, type AnyEvent } from '@vigie/contracts';
import { createKafkaClient, ensureTopics, MessageHeaders } from '@vigie/messaging';
import { bootstrapService, type RunningService } from '@vigie/service-kit';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type Agent, type Server } from 'node:http';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { ingestService } from '../ingest.service';

/**
 * Shared set-up for the ingest integration specs: one ingest service per spec file, booted
 * in-process against the real broker, on its own database and consumer-group prefix, with
 * helpers to call its HTTP API, register platforms, produce to `ads.submitted.v1` and read
 * the (shared) topics from where they stood when the spec started, filtered to the spec's
 * own platforms.
 */

export function requireEnv(name: 'KAFKA_BROKERS' | 'DATABASE_URL'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set for integration specs (npm test sets it)`);
  return value;
}

export function randomHex(bytes = 4): string {
  return randomBytes(bytes).toString('hex');
}

/** A platform id no other spec file (or earlier run) uses: it is the filter on shared topics. */
export function uniquePlatformId(label = 'p'): string {
  return `it-${label}-${randomHex(4)}`;
}

export function kafkaClient(clientId = `vigie-ingest-it-${randomHex(3)}`): Kafka {
  return createKafkaClient({ brokers: requireEnv('KAFKA_BROKERS').split(','), clientId });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: requireEnv('DATABASE_URL') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function countBackends(databaseName: string): Promise<number> {
  const client = new Client({ connectionString: requireEnv('DATABASE_URL') });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = $1`, [databaseName]);
    return rows[0].count;
  } finally {
    await client.end();
  }
}

/** Current end offset of every partition of a topic. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // A topic created moments ago may not have its leaders known yet: retry briefly.
    let offsets: Awaited<ReturnType<typeof admin.fetchTopicOffsets>> = [];
    for (let attempt = 1; ; attempt++) {
      try {
        offsets = await admin.fetchTopicOffsets(topic);
        break;
      } catch (error) {
        if (attempt >= 20) throw error;
        await sleep(500);
      }
    }
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** Gives a consumer group committed offsets at the current end of a topic (it must have no members). */
async function startGroupAtEnd(kafka: Kafka, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const ends = await endOffsets(kafka, topic);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.setOffsets({
      groupId,
      topic,
      partitions: [...ends].map(([partition, offset]) => ({ partition, offset: offset.toString() })),
    });
  } finally {
    await admin.disconnect();
  }
  return ends;
}

/** Removes a consumer group the spec created (best effort: it is only tidiness). */
async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // a group still settling its membership cannot be deleted yet; it expires on its own
  } finally {
    await admin.disconnect();
  }
}

export interface RawRecord {
  partition: number;
  offset: bigint;
  key: string;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Reads one topic from where it ended when the tap was opened, keeping what `select`
 * returns for the records of interest (topics are shared with other spec files and runs).
 */
export class TopicTap<T> {
  readonly items: (T & { partition: number; offset: bigint })[] = [];
  private readonly positions = new Map<number, bigint>();

  private constructor(
    readonly topic: string,
    private readonly kafka: Kafka,
    private readonly consumer: Consumer,
    private readonly groupId: string,
  ) {}

  static async open<T extends object>(topic: string, select: (record: RawRecord) => T | undefined): Promise<TopicTap<T>> {
    const kafka = kafkaClient();
    const groupId = `vigie-ingest-it-tap-${randomHex(6)}`;
    const starts = await startGroupAtEnd(kafka, groupId, topic);
    const consumer = kafka.consumer({
      groupId,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 16 * 1024 * 1024,
      maxBytes: 64 * 1024 * 1024,
      allowAutoTopicCreation: false,
    });
    const tap = new TopicTap<T>(topic, kafka, consumer, groupId);
    for (const [partition, offset] of starts) tap.positions.set(partition, offset);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : value.toString();
          }
          const record: RawRecord = {
            partition: batch.partition,
            offset: BigInt(message.offset),
            key: message.key ? message.key.toString('utf8') : '',
            value: message.value,
            headers,
          };
          const selected = select(record);
          if (selected) tap.items.push({ ...selected, partition: record.partition, offset: record.offset });
        }
        if (batch.messages.length > 0) tap.positions.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
      },
    });
    return tap;
  }

  /** The topic's end offsets now: everything acknowledged by the broker is below them. */
  snapshot(): Promise<Map<number, bigint>> {
    return endOffsets(this.kafka, this.topic);
  }

  /** Waits until the tap has read every partition up to `ends`, then returns what it kept below them. */
  async readUpTo(ends: Map<number, bigint>, timeoutMs = 60000): Promise<(T & { partition: number; offset: bigint })[]> {
    await waitFor(
      () => [...ends].every(([partition, end]) => (this.positions.get(partition) ?? 0n) >= end),
      timeoutMs,
      `${this.topic} to be read up to ${[...ends].map(([p, o]) => `${p}:${o}`).join(',')}`,
    );
    return this.items.filter((item) => item.offset < (ends.get(item.partition) ?? 0n));
  }

  /** Everything the broker holds right now that the tap keeps. */
  async readAll(timeoutMs = 60000): Promise<(T & { partition: number; offset: bigint })[]> {
    return this.readUpTo(await this.snapshot(), timeoutMs);
  }

  async waitForItems(predicate: (item: T) => boolean, count: number, timeoutMs = 30000): Promise<T[]> {
    return waitFor(
      () => {
        const found = this.items.filter(predicate);
        return found.length >= count ? found : undefined;
      },
      timeoutMs,
      `${count} matching records on ${this.topic}`,
    );
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
    await deleteGroup(this.kafka, this.groupId);
  }
}

/** What the ingested-topic taps keep: the decoded event, its key and its headers. */
export interface TappedEvent {
  key: string;
  headers: Record<string, string>;
  event: AnyEvent;
}

/**
 * Taps `ads.ingested.v1` for events of the platforms whose id starts with `tenantPrefix`
 * (told apart by key, `<platform>:<ad>`, before anything is parsed: the topic is shared).
 */
export function tapIngested(tenantPrefix: string): Promise<TopicTap<TappedEvent>> {
  return TopicTap.open<TappedEvent>(Topics.AdsIngested, (record) => {
    if (!record.value || !record.key.startsWith(tenantPrefix)) return undefined;
    const event = JSON.parse(record.value.toString('utf8')) as AnyEvent;
    return event.tenant.startsWith(tenantPrefix) ? { key: record.key, headers: record.headers, event } : undefined;
  });
}

/** Taps `ads.submitted.v1.dlq` for dead letters written by the given consumer group. */
export function tapSubmittedDlq(consumerGroup: string): Promise<TopicTap<RawRecord>> {
  return TopicTap.open<RawRecord>(`${Topics.AdsSubmitted}.dlq`, (record) =>
    record.headers[MessageHeaders.dlqConsumerGroup] === consumerGroup ? { ...record } : undefined,
  );
}

export interface FieldError {
  field: string;
  reason: string;
}

/** The body of every error answer; some carry per-field `errors` or more details. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  errors?: FieldError[];
  [detail: string]: unknown;
}

export interface ItemResult {
  index: number;
  platformAdId: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  event?: 'ad.ingested' | 'ad.updated' | 'ad.removed';
  eventId?: string;
  version?: number;
  errors?: FieldError[];
}

export interface BatchReport {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: ItemResult[];
}

export interface NdjsonReport {
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: { line: number; platformAdId?: string; field: string; reason: string }[];
  errorsTruncated: boolean;
}

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  key?: string | null;
  /** JSON-encoded unless a Buffer or string is given (sent as is). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the key as `X-API-Key` instead of `Authorization: Bearer`. */
  keyHeader?: 'bearer' | 'x-api-key';
}

export interface CreatedPlatform {
  id: string;
  apiKey: string;
  webhookSecret: string | null;
}

export interface IngestFixture {
  service: RunningService;
  url: string;
  adminKey: string;
  secretsKey: string;
  consumerGroup: string;
  databaseName: string;
  call<T = ErrorBody>(method: string, path: string, options?: CallOptions): Promise<HttpAnswer<T>>;
  createPlatform(options?: { id?: string; integrationMode?: 'http' | 'kafka'; webhookUrl?: string }): Promise<CreatedPlatform>;
  close(): Promise<void>;
}

/**
 * Boots ingest on a fresh database with an admin key. Its consumer group starts at the end
 * of `ads.submitted.v1`, so it handles only what the spec produces, not earlier runs' records.
 */
export async function startIngest(extraEnv: Record<string, string> = {}): Promise<IngestFixture> {
  const kafkaBrokers = requireEnv('KAFKA_BROKERS');
  const databaseName = `vigie_ingest_it_${randomHex(5)}`;
  const databaseUrl = withDatabase(requireEnv('DATABASE_URL'), databaseName);
  const groupPrefix = `it-${randomHex(4)}`;
  const consumerGroup = `${groupPrefix}-${ingestService.name}`;
  const adminKey = `admin-${randomBytes(24).toString('base64url')}`;
  const secretsKey = randomBytes(32).toString('hex');

  await adminQuery(`CREATE DATABASE "${databaseName}"`);
  const kafka = kafkaClient();
  await ensureTopics(
    kafka,
    allTopicNames({ withDlq: true }).map((name) => ({ name, partitions: partitionsFor(name) })),
  );
  await startGroupAtEnd(kafka, consumerGroup, Topics.AdsSubmitted);

  const service = await bootstrapService(ingestService, {
    KAFKA_BROKERS: kafkaBrokers,
    DATABASE_URL: databaseUrl,
    INGEST_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix,
    INGEST_ADMIN_API_KEY: adminKey,
    VIGIE_SECRETS_KEY: secretsKey,
    ...extraEnv,
  });

  const call = async <T>(method: string, path: string, options: CallOptions = {}): Promise<HttpAnswer<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? adminKey : options.key;
    if (key !== null) {
      if (options.keyHeader === 'x-api-key') headers['x-api-key'] = key;
      else headers.authorization = `Bearer ${key}`;
    }
    let body: string | Buffer | undefined;
    if (options.body !== undefined) {
      if (Buffer.isBuffer(options.body) || typeof options.body === 'string') body = options.body;
      else body = JSON.stringify(options.body);
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${service.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text.length > 0) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  };

  const createPlatform = async (options: { id?: string; integrationMode?: 'http' | 'kafka'; webhookUrl?: string } = {}) => {
    const id = options.id ?? uniquePlatformId();
    const answer = await call<{ apiKey: string; webhookSecret: string | null }>('POST', '/admin/platforms', {
      body: { id, name: `Integration test ${id}`, integrationMode: options.integrationMode ?? 'http', webhookUrl: options.webhookUrl },
    });
    if (answer.status !== 201) throw new Error(`could not create platform ${id}: ${answer.status} ${answer.text}`);
    return { id, apiKey: answer.body.apiKey, webhookSecret: answer.body.webhookSecret };
  };

  return {
    service,
    url: service.url,
    adminKey,
    secretsKey,
    consumerGroup,
    databaseName,
    call,
    createPlatform,
    close: async () => {
      // A connection left mid-request keeps a graceful close waiting for ever: after a while,
      // say so and cut the connections, so one bug does not hang the whole run.
      const closing = service.close();
      const timer = setTimeout(() => {
        console.warn('ingest did not stop within 10 s (an HTTP request never finished); closing its connections');
        (service.app.getHttpAdapter().getHttpServer() as Server).closeAllConnections();
      }, 10000);
      try {
        await closing;
      } finally {
        clearTimeout(timer);
      }
      // The pool's sockets close shortly after `close()` resolves; dropping the database
      // under them would make Postgres kill them mid-goodbye.
      await waitFor(async () => (await countBackends(databaseName)) === 0, 5000, 'the service to disconnect from its database').catch(
        () => undefined,
      );
      await adminQuery(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
      await deleteGroup(kafka, consumerGroup);
    },
  };
}

/** A valid ad (the contract's example) with timestamps in the recent past. */
export function sampleAd(platformAdId: string, overrides: Partial<Ad> = {}): Ad {
  const definition = EVENT_DEFINITIONS.find((d) => d.type === 'ad.submitted');
  if (!definition) throw new Error('contracts have no ad.submitted event');
  const example = structuredClone(definition.example.data) as Ad;
  const now = Date.now();
  return {
    ...example,
    platformAdId,
    url: `https://annonces.example/ads/${encodeURIComponent(platformAdId)}`,
    publishedAt: new Date(now - 3 * 3600_000).toISOString(),
    updatedAt: new Date(now - 3600_000).toISOString(),
    ...overrides,
  };
}

/** A small valid ad, for large volumes. */
export function smallAd(platformAdId: string, overrides: Partial<Ad> = {}): Ad {
  return sampleAd(platformAdId, {
    title: `Annonce ${platformAdId}`,
    body: 'Texte de test.',
    contacts: { phones: [], emails: [], handles: [] },
    images: [],
    ...overrides,
  });
}

export function isoIn(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

export interface NdjsonAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: NdjsonReport & Partial<ErrorBody>;
}

/**
 * Streams a body to ingest with chunked transfer encoding and backpressure (node's http
 * module), as a platform's backfill client would. Each call uses its own connection unless
 * an agent is given.
 */
export function postStream(
  url: string,
  path: string,
  key: string,
  source: Readable,
  options: { contentType?: string; agent?: Agent | false } = {},
): Promise<NdjsonAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${url}${path}`,
      {
        method: 'POST',
        agent: options.agent ?? false,
        headers: { authorization: `Bearer ${key}`, 'content-type': options.contentType ?? 'application/x-ndjson' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          source.destroy();
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: body as NdjsonAnswer['body'] });
        });
      },
    );
    // The server may answer (e.g. 503) before the whole body is sent: the answer is what counts.
    request.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE' && (error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
    source.on('error', reject);
    source.pipe(request);
  });
}

/** NDJSON lines (strings or raw bytes, without the newline) as a stream, generated lazily. */
export function ndjsonStream(lines: Iterable<string | Buffer>): Readable {
  function* chunks() {
    let batch: Buffer[] = [];
    let size = 0;
    for (const line of lines) {
      const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
      batch.push(bytes, newline);
      size += bytes.length + 1;
      if (size >= 64 * 1024) {
        yield Buffer.concat(batch);
        batch = [];
        size = 0;
      }
    }
    if (batch.length > 0) yield Buffer.concat(batch);
  }
  return Readable.from(chunks(), { objectMode: false });
}

const newline = Buffer.from('\n');

/** A kafkajs producer as a Kafka-native platform would use: acks from all replicas. */
export async function platformProducer(): Promise<Producer> {
  const producer = kafkaClient().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

/** Reads a Prometheus counter/gauge value (sum over series matching every given label). */
export function metricValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([label, value]) => line.includes(`${label}="${value}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

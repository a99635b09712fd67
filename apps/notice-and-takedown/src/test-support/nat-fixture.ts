import {
  TOPIC_CATALOGUE,
  Services,
  allTopicNames,
  encodeEvent,
  partitionsFor,
  topicOf,
  type AnyEvent,
} from '@vigie/contracts';
import { createKafkaClient, ensureTopics, KafkaEventPublisher } from '@vigie/messaging';
import { bootstrapService, type RunningService } from '@vigie/service-kit';
import { openTestDatabasePool } from '@vigie/testing';
import type { Consumer, Kafka } from 'kafkajs';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { noticeAndTakedownService } from '../notice-and-takedown.service';

/**
 * Shared set-up for notice-and-takedown integration specs: a fresh database; ingest as its own
 * process (the key registry and platforms' delivery targets, as in production: apps never
 * import each other); notice-and-takedown booted in-process (so a spec can reach its
 * providers with `fixture.nat.app.get(...)`); a tap on every topic from where it stood when
 * the fixture started, keeping the records of this fixture's platforms only (topics are
 * shared with other spec files and earlier runs).
 */

export function requireEnv(name: 'KAFKA_BROKERS' | 'DATABASE_URL'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set for integration specs (npm test sets it)`);
  return value;
}

export function randomHex(bytes = 4): string {
  return randomBytes(bytes).toString('hex');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  timeoutMs = 15000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export async function freePort(): Promise<number> {
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

/** A record read from a topic: the parsed event (when the value is JSON) and its wire details. */
export interface TappedRecord {
  topic: string;
  key: string;
  headers: Record<string, string>;
  value: string;
  /** The value parsed as JSON; for a DLQ record, the original message (which may not be a valid event). */
  event: AnyEvent | undefined;
}

export interface CreatedPlatform {
  id: string;
  apiKey: string;
  webhookSecret: string | null;
}

export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
  text: string;
}

export interface NatFixture {
  /** The running notice-and-takedown service (replaced by `restartNat`). */
  readonly nat: RunningService;
  readonly natUrl: string;
  readonly ingestUrl: string;
  /** Admin key of ingest; also the service key notice-and-takedown reads delivery targets with. */
  readonly adminKey: string;
  /** Every platform this fixture creates has an id starting with it; the tap keeps only theirs. */
  readonly tenantPrefix: string;
  readonly databaseName: string;
  /** notice-and-takedown's database, for a spec that needs a session of its own. */
  readonly databaseUrl: string;
  readonly consumerGroup: string;
  createPlatform(mode: 'http' | 'kafka', webhookUrl?: string): Promise<CreatedPlatform>;
  createKey(role: string, principalId: string, platformId?: string): Promise<string>;
  /** An HTTP call to notice-and-takedown (JSON body), with the given key (none when null). */
  call<T = unknown>(method: string, path: string, key: string | null, body?: unknown): Promise<HttpAnswer<T>>;
  /** Produces events to their contract topics, keyed by subject (as a platform or another service would). */
  publish(events: AnyEvent[]): Promise<void>;
  /** Produces raw bytes to a topic (poison messages). */
  publishRaw(topic: string, key: string, value: string): Promise<void>;
  /**
   * Waits until `count` (default 1) records of `topic` match, and returns every match so far.
   * The tap started with the fixture: records produced earlier in the spec are included.
   */
  collect(topic: string, predicate: (event: AnyEvent, record: TappedRecord) => boolean, timeoutMs?: number, count?: number): Promise<AnyEvent[]>;
  /** Matching records of `topic` read so far, without waiting (to check that something did not happen). */
  seen(topic: string, predicate?: (event: AnyEvent, record: TappedRecord) => boolean): TappedRecord[];
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A Prometheus value of notice-and-takedown's /metrics: the sum over series matching every given label. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** Stops notice-and-takedown and starts it again on the same database and consumer group. */
  restartNat(envOverrides?: Record<string, string>): Promise<RunningService>;
  close(): Promise<void>;
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

/** The current end offset of every partition of each topic. */
async function endOffsets(kafka: Kafka, topics: string[]): Promise<Map<string, { partition: number; offset: string }[]>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map<string, { partition: number; offset: string }[]>();
    for (const topic of topics) {
      // A topic created moments ago may not know its leaders yet: retry briefly.
      for (let attempt = 1; ; attempt++) {
        try {
          const offsets = await admin.fetchTopicOffsets(topic);
          ends.set(topic, offsets.map((o) => ({ partition: o.partition, offset: o.high })));
          break;
        } catch (error) {
          if (attempt >= 20) throw error;
          await sleep(500);
        }
      }
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Commits offsets at the current end of each topic for a group that has no members yet, by
 * joining it once (kafkajs' admin.setOffsets joins the group for every topic: seconds each).
 */
async function startGroupAtEnd(kafka: Kafka, groupId: string, topics: string[]): Promise<void> {
  const ends = await endOffsets(kafka, topics);
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: false });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    // Nothing is processed or committed by the run itself: only the explicit commit below.
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    consumer.pause(topics.map((topic) => ({ topic })));
    await joined;
    await consumer.commitOffsets(
      [...ends].flatMap(([topic, partitions]) => partitions.map(({ partition, offset }) => ({ topic, partition, offset }))),
    );
  } finally {
    await consumer.disconnect();
  }
}

async function deleteGroups(kafka: Kafka, groupIds: string[]): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups(groupIds);
  } catch {
    // a group still settling its membership cannot be deleted yet; it expires on its own
  } finally {
    await admin.disconnect();
  }
}

async function startIngestProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const root = join(__dirname, '..', '..', '..', '..');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/ingest/src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, TS_NODE_PROJECT: join(root, 'tsconfig.json') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${env.INGEST_PORT}`;
  const deadline = Date.now() + 90_000;
  while ((await fetch(`${url}/ready`).then((r) => r.status, () => 0)) !== 200) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ingest did not start (exit code ${child.exitCode})`);
    }
    await sleep(300);
  }
  return { url, child };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function closeService(service: RunningService): Promise<void> {
  // A connection left mid-request (a test cut short) keeps a graceful close waiting: cut it after a while.
  const closing = service.close();
  const timer = setTimeout(() => (service.app.getHttpAdapter().getHttpServer() as Server).closeAllConnections(), 10_000);
  try {
    await closing;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts ingest and notice-and-takedown on a fresh database. `env` overrides
 * notice-and-takedown's environment (e.g. `NAT_BREAKER_RESET_MS`); defaults make the
 * background work fast (`NAT_WORKER_INTERVAL_MS=100`).
 */
export async function startNatFixture(options: { env?: Record<string, string> } = {}): Promise<NatFixture> {
  const kafkaBrokers = requireEnv('KAFKA_BROKERS');
  const suffix = randomHex(4);
  const tenantPrefix = `it-nat-${suffix}`;
  const databaseName = `vigie_nat_it_${suffix}`;
  const databaseUrl = withDatabase(requireEnv('DATABASE_URL'), databaseName);
  const groupPrefix = `it-${suffix}`;
  const consumerGroup = `${groupPrefix}-${noticeAndTakedownService.name}`;
  const tapGroup = `${groupPrefix}-tap`;
  const adminKey = `admin-${randomBytes(24).toString('base64url')}`;

  await adminQuery(`CREATE DATABASE "${databaseName}"`);
  const kafka = createKafkaClient({ brokers: kafkaBrokers.split(','), clientId: `nat-it-${suffix}` });
  const topics = allTopicNames({ withDlq: true });
  await ensureTopics(kafka, topics.map((name) => ({ name, partitions: partitionsFor(name) })));
  const consumedByNat = TOPIC_CATALOGUE.filter((topic) => topic.consumers.includes(Services.NoticeAndTakedown)).map((topic) => topic.name);
  // Deterministic starting points: nothing from earlier runs, nothing missed before partitions are assigned.
  await startGroupAtEnd(kafka, consumerGroup, consumedByNat);

  const tapped: TappedRecord[] = [];
  const tapStarts = await endOffsets(kafka, topics);
  const tap: Consumer = kafka.consumer({ groupId: tapGroup, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  await tap.connect();
  await tap.subscribe({ topics, fromBeginning: false });
  const tapJoined = new Promise<void>((resolve) => tap.on(tap.events.GROUP_JOIN, () => resolve()));
  await tap.run({
    autoCommit: false,
    eachMessage: async ({ topic, message }) => {
      const key = message.key?.toString('utf8') ?? '';
      if (!key.startsWith(tenantPrefix)) return;
      const value = message.value?.toString('utf8') ?? '';
      const headers: Record<string, string> = {};
      for (const [name, header] of Object.entries(message.headers ?? {})) {
        if (header !== undefined) headers[name] = Array.isArray(header) ? String(header[0]) : header.toString();
      }
      let event: AnyEvent | undefined;
      try {
        event = JSON.parse(value) as AnyEvent;
      } catch {
        event = undefined;
      }
      tapped.push({ topic, key, headers, value, event });
    },
  });
  // Seeks wait for the partitions' assignment: the tap reads from where each topic ended above,
  // so nothing produced while the group was forming is missed.
  for (const [topic, partitions] of tapStarts) {
    for (const { partition, offset } of partitions) tap.seek({ topic, partition, offset });
  }
  await tapJoined;

  const ingestPort = await freePort();
  const ingest = await startIngestProcess({
    KAFKA_BROKERS: kafkaBrokers,
    DATABASE_URL: databaseUrl,
    INGEST_PORT: String(ingestPort),
    LOG_LEVEL: 'warn',
    KAFKA_CONSUMER_START: 'latest',
    KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix,
    INGEST_ADMIN_API_KEY: adminKey,
    VIGIE_SECRETS_KEY: randomBytes(32).toString('hex'),
  });

  let natEnv: Record<string, string> = {
    KAFKA_BROKERS: kafkaBrokers,
    DATABASE_URL: databaseUrl,
    NOTICE_AND_TAKEDOWN_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    KAFKA_CONSUMER_START: 'latest',
    KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix,
    VIGIE_AUTH_URL: ingest.url,
    VIGIE_SERVICE_API_KEY: adminKey,
    NAT_WORKER_INTERVAL_MS: '100',
    // The fake platforms serve their ads on loopback.
    NAT_VERIFY_PRIVATE_ADDRESSES: 'allow',
    ...options.env,
  };
  let nat = await bootstrapService(noticeAndTakedownService, natEnv).catch(async (error) => {
    await stopProcess(ingest.child);
    throw error;
  });
  const pool = openTestDatabasePool(databaseUrl);
  const publisher = new KafkaEventPublisher(kafka);
  await publisher.connect();
  let platforms = 0;

  const ingestCall = async <T>(method: string, path: string, body: unknown): Promise<HttpAnswer<T>> => {
    const response = await fetch(`${ingest.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, text };
  };

  const matches = (topic: string, predicate?: (event: AnyEvent, record: TappedRecord) => boolean) =>
    tapped.filter((record) => record.topic === topic && (!predicate || (record.event !== undefined && predicate(record.event, record))));

  return {
    get nat() {
      return nat;
    },
    get natUrl() {
      return nat.url;
    },
    ingestUrl: ingest.url,
    adminKey,
    tenantPrefix,
    databaseName,
    databaseUrl,
    consumerGroup,

    async createPlatform(mode, webhookUrl) {
      const id = `${tenantPrefix}-${++platforms}`;
      const answer = await ingestCall<{ apiKey: string; webhookSecret: string | null }>('POST', '/admin/platforms', {
        id,
        name: `Takedown integration test ${id}`,
        integrationMode: mode,
        ...(webhookUrl ? { webhookUrl } : {}),
      });
      if (answer.status !== 201) throw new Error(`could not create platform ${id}: ${answer.status} ${answer.text}`);
      return { id, apiKey: answer.body.apiKey, webhookSecret: answer.body.webhookSecret };
    },

    async createKey(role, principalId, platformId) {
      const answer = await ingestCall<{ apiKey: string }>('POST', '/admin/keys', {
        role,
        principalId,
        label: `${role} ${principalId}`,
        ...(platformId ? { platformId } : {}),
      });
      if (answer.status !== 201) throw new Error(`could not create a ${role} key: ${answer.status} ${answer.text}`);
      return answer.body.apiKey;
    },

    async call<T>(method: string, path: string, key: string | null, body?: unknown): Promise<HttpAnswer<T>> {
      const headers: Record<string, string> = {};
      if (key !== null) headers.authorization = `Bearer ${key}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${nat.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
      return { status: response.status, body: parsed as T, text };
    },

    async publish(events) {
      await publisher.publish(
        events.map((event) => ({ topic: topicOf(event), key: event.subject, value: encodeEvent(event), headers: {} })),
      );
    },

    async publishRaw(topic, key, value) {
      await publisher.publish([{ topic, key, value: Buffer.from(value, 'utf8'), headers: {} }]);
    },

    async collect(topic, predicate, timeoutMs = 30_000, count = 1) {
      const found = await waitFor(
        () => {
          const records = matches(topic, predicate);
          return records.length >= count ? records : undefined;
        },
        timeoutMs,
        `${count} matching record(s) on ${topic}`,
      );
      return found.map((record) => record.event as AnyEvent);
    },

    seen: matches,

    async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      const { rows } = await pool.query(sql, params);
      return rows as T[];
    },

    async metric(name, labels = {}) {
      const exposition = await (await fetch(`${nat.url}/metrics`)).text();
      let total = 0;
      for (const line of exposition.split('\n')) {
        if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
        if (!Object.entries(labels).every(([label, value]) => line.includes(`${label}="${value}"`))) continue;
        total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return total;
    },

    async restartNat(envOverrides = {}) {
      await closeService(nat);
      natEnv = { ...natEnv, ...envOverrides };
      nat = await bootstrapService(noticeAndTakedownService, natEnv);
      return nat;
    },

    async close() {
      await closeService(nat).catch((error) => console.warn(`notice-and-takedown did not stop cleanly: ${(error as Error).message}`));
      await stopProcess(ingest.child);
      await tap.disconnect();
      await publisher.disconnect();
      await pool.end();
      await adminQuery(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
      await deleteGroups(kafka, [consumerGroup, tapGroup, `${groupPrefix}-ingest`]);
    },
  };
}

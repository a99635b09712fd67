import { generateSigningKeyPair } from '@vigie/audit-chain';
import {
  EVENT_DEFINITIONS,
  Services,
  TOPIC_CATALOGUE,
  allTopicNames,
  encodeEvent,
  partitionsFor,
  topicOf,
  uuidv7,
  validateEvent,
  type AnyEvent,
} from '@vigie/contracts';
import { createKafkaClient, ensureTopics, KafkaEventPublisher } from '@vigie/messaging';
import { bootstrapService, type RunningService } from '@vigie/service-kit';
import { openTestDatabasePool } from '@vigie/testing';
import type { Kafka } from 'kafkajs';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { auditService } from '../audit.service';

/**
 * Shared set-up for the audit's integration specs: a fresh database; ingest as its own process
 * (the key registry: apps never import each other); the audit booted in-process (so a spec can
 * reach its providers with `fixture.audit.app.get(...)`), its consumer group starting at the
 * current end of every topic; a producer to publish events as the other services would.
 */

export function requireEnv(name: 'KAFKA_BROKERS' | 'DATABASE_URL'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set for integration specs (npm test sets it)`);
  return value;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor<T>(probe: () => Promise<T | undefined | false | null>, timeoutMs = 30000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false && value !== null) return value;
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

/** Commits the current end of each topic for a group with no members yet, so it starts there. */
async function startGroupAtEnd(kafka: Kafka, groupId: string, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends: { topic: string; partition: number; offset: string }[] = [];
  try {
    for (const topic of topics) {
      for (let attempt = 1; ; attempt++) {
        try {
          for (const o of await admin.fetchTopicOffsets(topic)) ends.push({ topic, partition: o.partition, offset: o.high });
          break;
        } catch (error) {
          if (attempt >= 20) throw error;
          await sleep(500);
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: false });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    consumer.pause(topics.map((topic) => ({ topic })));
    await joined;
    await consumer.commitOffsets(ends);
  } finally {
    await consumer.disconnect();
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

/**
 * A valid event of `type` about `subject`, built from the contract's own example (so every
 * event type can be produced without knowing its data), with a fresh id.
 */
export function sampleEvent(type: string, subject: string, correlationId: string | null = null, occurredAt?: string): AnyEvent {
  const definition = EVENT_DEFINITIONS.find((candidate) => candidate.type === type);
  if (!definition) throw new RangeError(`unknown event type ${type}`);
  const tenant = subject.slice(0, subject.indexOf(':'));
  const event = {
    ...(structuredClone(definition.example) as AnyEvent),
    id: uuidv7(),
    tenant,
    subject,
    correlationId,
    ...(occurredAt ? { occurredAt } : {}),
  } as AnyEvent;
  const result = validateEvent(event);
  if (!result.ok) throw new Error(`sample ${type} is invalid: ${JSON.stringify(result.errors)}`);
  return event;
}

export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
}

export interface AuditFixture {
  readonly audit: RunningService;
  readonly adminKey: string;
  /** Every subject a spec uses should start with `${tenantPrefix}-<n>:`. */
  readonly tenantPrefix: string;
  readonly databaseName: string;
  readonly checkpointFile: string;
  readonly signingKeyFile: string;
  /** Registers a platform in ingest (keys bound to a platform need it). */
  createPlatform(id: string): Promise<void>;
  createKey(role: string, principalId: string, platformId?: string): Promise<string>;
  call<T = unknown>(method: string, path: string, key: string | null, body?: unknown): Promise<HttpAnswer<T>>;
  publish(events: AnyEvent[]): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Waits until the log holds at least `count` records whose subject starts with `prefix`. */
  waitForRecords(prefix: string, count: number, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function startAuditFixture(options: { env?: Record<string, string> } = {}): Promise<AuditFixture> {
  const kafkaBrokers = requireEnv('KAFKA_BROKERS');
  const suffix = randomBytes(4).toString('hex');
  const tenantPrefix = `it-audit-${suffix}`;
  const databaseName = `vigie_audit_it_${suffix}`;
  const databaseUrl = withDatabase(requireEnv('DATABASE_URL'), databaseName);
  const groupPrefix = `it-${suffix}`;
  const consumerGroup = `${groupPrefix}-${auditService.name}`;
  const adminKey = `admin-${randomBytes(24).toString('base64url')}`;
  const scratch = mkdtempSync(join(tmpdir(), 'vigie-audit-it-'));
  const checkpointFile = join(scratch, 'checkpoints.jsonl');
  const signingKeyFile = join(scratch, 'signing-key.pem');

  writeFileSync(signingKeyFile, generateSigningKeyPair().privateKeyPem, { mode: 0o600 });
  await adminQuery(`CREATE DATABASE "${databaseName}"`);
  const kafka = createKafkaClient({ brokers: kafkaBrokers.split(','), clientId: `audit-it-${suffix}` });
  await ensureTopics(kafka, allTopicNames({ withDlq: true }).map((name) => ({ name, partitions: partitionsFor(name) })));
  const consumed = TOPIC_CATALOGUE.filter((topic) => topic.consumers.includes(Services.Audit)).map((topic) => topic.name);
  await startGroupAtEnd(kafka, consumerGroup, consumed);

  const ingest = await startIngestProcess({
    KAFKA_BROKERS: kafkaBrokers,
    DATABASE_URL: databaseUrl,
    INGEST_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    KAFKA_CONSUMER_START: 'latest',
    KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix,
    INGEST_ADMIN_API_KEY: adminKey,
    VIGIE_SECRETS_KEY: randomBytes(32).toString('hex'),
  });
  const audit = await bootstrapService(auditService, {
    ...process.env,
    KAFKA_BROKERS: kafkaBrokers,
    DATABASE_URL: databaseUrl,
    AUDIT_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    KAFKA_CONSUMER_START: 'latest',
    KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix,
    VIGIE_AUTH_URL: ingest.url,
    AUDIT_CHECKPOINT_FILE: checkpointFile,
    AUDIT_SIGNING_KEY_FILE: signingKeyFile,
    AUDIT_CHECKPOINT_INTERVAL_MS: '0',
    ...options.env,
  }).catch(async (error) => {
    await stopProcess(ingest.child);
    throw error;
  });
  const pool = openTestDatabasePool(databaseUrl);
  const publisher = new KafkaEventPublisher(kafka);
  await publisher.connect();

  return {
    audit,
    adminKey,
    tenantPrefix,
    databaseName,
    checkpointFile,
    signingKeyFile,
    async createPlatform(id) {
      const response = await fetch(`${ingest.url}/admin/platforms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id, name: `Audit integration test ${id}`, integrationMode: 'kafka' }),
      });
      if (response.status !== 201) throw new Error(`could not create platform ${id}: ${response.status} ${await response.text()}`);
    },
    async createKey(role, principalId, platformId) {
      const response = await fetch(`${ingest.url}/admin/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role, principalId, label: `${role} ${principalId}`, ...(platformId ? { platformId } : {}) }),
      });
      const body = (await response.json()) as { apiKey: string };
      if (response.status !== 201) throw new Error(`could not create a ${role} key: ${response.status} ${JSON.stringify(body)}`);
      return body.apiKey;
    },
    async call<T>(method: string, path: string, key: string | null, body?: unknown): Promise<HttpAnswer<T>> {
      const headers: Record<string, string> = {};
      if (key !== null) headers.authorization = `Bearer ${key}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${audit.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    async publish(events) {
      await publisher.publish(events.map((event) => ({ topic: topicOf(event), key: event.subject, value: encodeEvent(event), headers: {} })));
    },
    async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      return (await pool.query(sql, params)).rows as T[];
    },
    async waitForRecords(prefix, count, timeoutMs = 30000) {
      return waitFor(
        async () => {
          const [{ n }] = (await pool.query('SELECT count(*)::int AS n FROM audit.log WHERE subject LIKE $1', [`${prefix}%`])).rows;
          return n >= count ? (n as number) : undefined;
        },
        timeoutMs,
        `${count} audit records for ${prefix}`,
      );
    },
    async close() {
      await audit.close().catch((error) => console.warn(`audit did not stop cleanly: ${(error as Error).message}`));
      await stopProcess(ingest.child);
      await publisher.disconnect();
      await pool.end();
      await adminQuery(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteGroups([consumerGroup, `${groupPrefix}-ingest`]).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

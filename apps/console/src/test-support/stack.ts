import { generateSigningKeyPair } from '@vigie/audit-chain';
import { Services, TOPIC_CATALOGUE, allTopicNames, partitionsFor } from '@vigie/contracts';
import { createKafkaClient, ensureTopics } from '@vigie/messaging';
import type { Kafka } from 'kafkajs';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startConsoleServer, type RunningConsole } from '../console-server';

/**
 * The whole of Vigie for the console's browser tests: ingest, scoring, notice-and-takedown and
 * audit as their own processes (as `npm start` runs them; apps never import each other) on a
 * fresh database, each consumer group starting at the current end of its topics, and the
 * console server in-process in front of them.
 */

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor<T>(probe: () => Promise<T | undefined | false | null>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

export function requireEnv(name: 'KAFKA_BROKERS' | 'DATABASE_URL'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set for integration specs (npm test sets it)`);
  return value;
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

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: requireEnv('DATABASE_URL') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Commits the current end of each topic for a consumer group before its service joins, so the
 * service neither replays other specs' history nor misses what this spec produces while it starts.
 */
async function startGroupAtEnd(kafka: Kafka, groupId: string, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets: { topic: string; partition: number; offset: string }[] = [];
  try {
    for (const topic of topics) {
      // A topic created moments ago may not know its leaders yet: retry briefly.
      for (let attempt = 1; ; attempt++) {
        try {
          for (const { partition, high } of await admin.fetchTopicOffsets(topic)) offsets.push({ topic, partition, offset: high });
          break;
        } catch (error) {
          if (attempt >= 40) throw error;
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
    await consumer.commitOffsets(offsets);
  } finally {
    await consumer.disconnect();
  }
}

interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
}

async function startServiceProcess(name: string, main: string, portVariable: string, env: Record<string, string>): Promise<ServiceProcess> {
  const root = join(__dirname, '..', '..', '..', '..');
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', main], {
    cwd: root,
    env: { ...process.env, ...env, [portVariable]: String(port), TS_NODE_PROJECT: join(root, 'tsconfig.json') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 150_000;
  while ((await fetch(`${url}/ready`).then((r) => r.status, () => 0)) !== 200) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start (exit code ${child.exitCode})`);
    }
    await sleep(300);
  }
  return { name, url, child };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

export interface ConsoleStack {
  readonly urls: { ingest: string; scoring: string; nat: string; audit: string };
  readonly console: RunningConsole;
  readonly adminKey: string;
  readonly tenantPrefix: string;
  /** A JSON call to a service with a key. */
  call<T = unknown>(service: keyof ConsoleStack['urls'], method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function startConsoleStack(): Promise<ConsoleStack> {
  const kafkaBrokers = requireEnv('KAFKA_BROKERS');
  const suffix = randomBytes(4).toString('hex');
  const databaseName = `vigie_console_it_${suffix}`;
  const databaseUrl = new URL(requireEnv('DATABASE_URL'));
  databaseUrl.pathname = `/${databaseName}`;
  const groupPrefix = `it-console-${suffix}`;
  const adminKey = `admin-${randomBytes(24).toString('base64url')}`;
  const scratch = mkdtempSync(join(tmpdir(), 'vigie-console-it-'));
  const signingKeyFile = join(scratch, 'signing-key.pem');
  writeFileSync(signingKeyFile, generateSigningKeyPair().privateKeyPem, { mode: 0o600 });

  await adminQuery(`CREATE DATABASE "${databaseName}"`);
  const kafka = createKafkaClient({ brokers: kafkaBrokers.split(','), clientId: `console-it-${suffix}` });
  await ensureTopics(kafka, allTopicNames({ withDlq: true }).map((name) => ({ name, partitions: partitionsFor(name) })));
  for (const service of [Services.Ingest, Services.Scoring, Services.NoticeAndTakedown, Services.Audit]) {
    const consumed = TOPIC_CATALOGUE.filter((topic) => topic.consumers.includes(service)).map((topic) => topic.name);
    if (consumed.length > 0) await startGroupAtEnd(kafka, `${groupPrefix}-${service}`, consumed);
  }

  const common = {
    KAFKA_BROKERS: kafkaBrokers,
    DATABASE_URL: databaseUrl.toString(),
    LOG_LEVEL: 'warn',
    KAFKA_CONSUMER_START: 'latest',
    KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix,
    DATABASE_POOL_SIZE: '4',
  };
  const processes: ServiceProcess[] = [];
  const stopAll = () => Promise.all(processes.map((service) => stopProcess(service.child)));
  try {
    const ingest = await startServiceProcess('ingest', 'apps/ingest/src/main.ts', 'INGEST_PORT', {
      ...common,
      INGEST_ADMIN_API_KEY: adminKey,
      VIGIE_SECRETS_KEY: randomBytes(32).toString('hex'),
    });
    processes.push(ingest);
    const withAuth = { ...common, VIGIE_AUTH_URL: ingest.url };
    const started = await Promise.all([
      startServiceProcess('scoring', 'apps/scoring/src/main.ts', 'SCORING_PORT', withAuth),
      startServiceProcess('notice-and-takedown', 'apps/notice-and-takedown/src/main.ts', 'NOTICE_AND_TAKEDOWN_PORT', {
        ...withAuth,
        VIGIE_SERVICE_API_KEY: adminKey,
        NAT_WORKER_INTERVAL_MS: '200',
        NAT_VERIFY_BACKOFF_MS: '300',
        NAT_WEBHOOK_BACKOFF_MS: '300',
      }),
      startServiceProcess('audit', 'apps/audit/src/main.ts', 'AUDIT_PORT', {
        ...withAuth,
        AUDIT_SIGNING_KEY_FILE: signingKeyFile,
        AUDIT_CHECKPOINT_FILE: join(scratch, 'checkpoints.jsonl'),
        AUDIT_CHECKPOINT_INTERVAL_MS: '2000',
      }),
    ]);
    processes.push(...started);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const [ingest, scoring, nat, audit] = processes;
  const urls = { ingest: ingest.url, scoring: scoring.url, nat: nat.url, audit: audit.url };
  const consoleServer = await startConsoleServer({ port: 0, upstreams: urls });

  return {
    urls,
    console: consoleServer,
    adminKey,
    tenantPrefix: `it-console-${suffix}`,
    async call<T>(service: keyof typeof urls, method: string, path: string, key: string, body?: unknown) {
      const response = await fetch(`${urls[service]}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text) as T };
    },
    async close() {
      await consoleServer.close();
      await stopAll();
      await adminQuery(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`).catch(() => undefined);
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.deleteGroups([Services.Ingest, Services.Scoring, Services.NoticeAndTakedown, Services.Audit].map((service) => `${groupPrefix}-${service}`));
      } catch {
        // a group still settling cannot be deleted yet; it expires on its own
      } finally {
        await admin.disconnect();
      }
    },
  };
}

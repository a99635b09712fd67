import { Services, TOPIC_CATALOGUE, allTopicNames, partitionsFor } from '@vigie/contracts';
import { createKafkaClient, ensureTopics } from '@vigie/messaging';
import { serviceNodeArgs, serviceProcessSpec, type ServiceProcessSpec } from '@vigie/provisioning';
import type { Kafka } from 'kafkajs';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';

/**
 * The whole of Vigie for integration specs: ingest, scoring, notice-and-takedown and audit as
 * their own processes (as `npm start` runs them; apps never import each other) on a fresh
 * database, each consumer group starting at the current end of its topics so a spec neither
 * replays other specs' history nor misses what it produces while the services start.
 *
 * Services can be killed and restarted on the same port and configuration (fault tests).
 */

const WORKSPACE_ROOT = join(__dirname, '..', '..', '..', '..');

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

async function adminQuery(sql: string, serverUrl = requireEnv('DATABASE_URL')): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
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

export type StackServiceName = 'ingest' | 'scoring' | 'nat' | 'audit';

/**
 * The stack's services by their names in `SERVICES` (@vigie/provisioning), which gives each one's
 * entry point, port variable and node options, as `npm start` runs it.
 */
export const STACK_SERVICE_PROCESS_NAMES: Readonly<Record<StackServiceName, string>> = {
  ingest: 'ingest',
  scoring: 'scoring',
  nat: 'notice-and-takedown',
  audit: 'audit',
};

export function stackServiceSpec(name: StackServiceName): ServiceProcessSpec {
  return serviceProcessSpec(STACK_SERVICE_PROCESS_NAMES[name]);
}

interface ServiceProcess {
  readonly name: StackServiceName;
  readonly url: string;
  readonly port: number;
  readonly env: Record<string, string>;
  readonly output: ServiceOutput;
  readonly runtime: StackRuntime;
  child: ChildProcess;
}

/**
 * How the services run: their TypeScript compiled on the fly (`ts-node`), or the compiled
 * JavaScript in dist/ (`dist`, as `npm start` runs them), which starts several times faster.
 */
export type StackRuntime = 'ts-node' | 'dist';

/**
 * Whether dist/ holds the current code: every TypeScript source of apps/ and libs/ (specs
 * aside) has its compiled file, written after the source's last change. File by file, since
 * a type check alone (`tsc --noEmit`) updates the build's record without emitting anything.
 * A stale dist/ would test code other than the checkout's.
 */
export function compiledCodeIsCurrent(): boolean {
  for (const folder of ['apps', 'libs']) {
    for (const entry of readdirSync(join(WORKSPACE_ROOT, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts') || /\.(d|spec|int-spec)\.ts$/.test(entry.name)) continue;
      const source = join(entry.parentPath, entry.name);
      const compiled = join(WORKSPACE_ROOT, 'dist', relative(WORKSPACE_ROOT, source).replace(/\.ts$/, '.js'));
      if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs) return false;
    }
  }
  return true;
}

/**
 * The node arguments that run a stack service: in either runtime its own node options (those of
 * `npm start`, the benchmarks and docker-compose) after the preloads, before the entry point.
 */
export function stackServiceNodeArgs(name: StackServiceName, runtime: StackRuntime): string[] {
  const { main, nodeOptions = [] } = stackServiceSpec(name);
  return runtime === 'dist'
    ? serviceNodeArgs(main)
    : ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', ...nodeOptions, main];
}

/** Where a service's stderr goes: the host's (default), nowhere, or appended to a file (with its log lines). */
export type ServiceOutput = 'inherit' | 'ignore' | { file: string };

function spawnService(name: StackServiceName, port: number, env: Record<string, string>, output: ServiceOutput, runtime: StackRuntime): ChildProcess {
  const { portVariable } = stackServiceSpec(name);
  const fd = typeof output === 'object' ? openSync(output.file, 'a') : undefined;
  try {
    return spawn(process.execPath, stackServiceNodeArgs(name, runtime), {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, ...env, [portVariable]: String(port), TS_NODE_PROJECT: join(WORKSPACE_ROOT, 'tsconfig.json') },
      // A file gets the JSON log lines (stdout) too; otherwise only stderr is shown.
      stdio: ['ignore', fd ?? 'ignore', fd ?? (output as 'inherit' | 'ignore')],
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function waitReady(service: ServiceProcess, deadline = Date.now() + 150_000): Promise<void> {
  while ((await fetch(`${service.url}/ready`).then((r) => r.status, () => 0)) !== 200) {
    if (service.child.exitCode !== null || Date.now() > deadline) {
      service.child.kill('SIGKILL');
      throw new Error(`${service.name} did not start (exit code ${service.child.exitCode})`);
    }
    await sleep(300);
  }
}

async function startServiceProcess(name: StackServiceName, env: Record<string, string>, output: ServiceOutput, runtime: StackRuntime): Promise<ServiceProcess> {
  const port = await freePort();
  const service: ServiceProcess = { name, url: `http://127.0.0.1:${port}`, port, env, output, runtime, child: spawnService(name, port, env, output, runtime) };
  await waitReady(service);
  return service;
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

export interface StartVigieStackOptions {
  /** Names the database, consumer groups and tenants of this stack (letters, digits, dashes). */
  readonly label?: string;
  /** Extra environment per service (after the defaults, so they win). */
  readonly env?: Partial<Record<StackServiceName, Record<string, string>>>;
  /** Brokers to use instead of `KAFKA_BROKERS`. */
  readonly kafkaBrokers?: string;
  /** PostgreSQL server (any database on it) to create the stack's database on, instead of `DATABASE_URL`. */
  readonly databaseUrl?: string;
  /** Where the services' stderr goes (default: the host's). */
  readonly serviceOutput?: ServiceOutput;
  /**
   * `compiled-if-current`: the compiled services of dist/ when `compiledCodeIsCurrent()`, else
   * on-the-fly TypeScript (the default, always the checkout's code). For specs that start or
   * restart services many times (fault tests).
   */
  readonly runtime?: 'ts-node' | 'compiled-if-current';
}

export interface VigieStack {
  readonly urls: Record<StackServiceName, string>;
  readonly adminKey: string;
  /** Prefix unique to this stack, for platform ids and tenants. */
  readonly tenantPrefix: string;
  /** How its services run. */
  readonly runtime: StackRuntime;
  readonly databaseUrl: string;
  readonly kafkaBrokers: string;
  /** A JSON call to a service with a key. */
  call<T = unknown>(service: StackServiceName, method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Whether a service's process is still running. */
  isRunning(service: StackServiceName): boolean;
  /** Sends a signal (default SIGKILL) and waits for the process to exit. */
  kill(service: StackServiceName, signal?: NodeJS.Signals): Promise<void>;
  /**
   * Starts a stopped service again on the same port and configuration and waits until it is
   * ready. A start that fails (e.g. the broker is down too) is tried again, as a supervisor
   * would (Docker's `restart: unless-stopped`), for up to 150 s; resolves with the starts it took.
   */
  restart(service: StackServiceName): Promise<number>;
  /** The process id of a service (changes with each restart). */
  pid(service: StackServiceName): number | undefined;
  close(): Promise<void>;
}

/** Starts the four services against `KAFKA_BROKERS` and a new database on `DATABASE_URL`'s server. */
export async function startVigieStack(options: StartVigieStackOptions = {}): Promise<VigieStack> {
  const kafkaBrokers = options.kafkaBrokers ?? requireEnv('KAFKA_BROKERS');
  const label = options.label ?? 'stack';
  if (!/^[a-z0-9-]{1,30}$/.test(label)) throw new Error(`stack label "${label}" must be 1-30 lowercase letters, digits or dashes`);
  const suffix = randomBytes(4).toString('hex');
  const databaseName = `vigie_${label.replace(/-/g, '_')}_it_${suffix}`;
  const serverUrl = options.databaseUrl ?? requireEnv('DATABASE_URL');
  const output = options.serviceOutput ?? 'inherit';
  const runtime: StackRuntime = options.runtime === 'compiled-if-current' && compiledCodeIsCurrent() ? 'dist' : 'ts-node';
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${databaseName}`;
  const groupPrefix = `it-${label}-${suffix}`;
  const adminKey = `admin-${randomBytes(24).toString('base64url')}`;
  const scratch = mkdtempSync(join(tmpdir(), `vigie-${label}-it-`));
  const signingKeyFile = join(scratch, 'signing-key.pem');
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(signingKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });

  await adminQuery(`CREATE DATABASE "${databaseName}"`, serverUrl);
  const kafka = createKafkaClient({ brokers: kafkaBrokers.split(','), clientId: `${label}-it-${suffix}` });
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
  const extra = options.env ?? {};
  const processes = new Map<StackServiceName, ServiceProcess>();
  const stopAll = () => Promise.all([...processes.values()].map((service) => stopProcess(service.child)));
  try {
    const ingest = await startServiceProcess('ingest', {
      ...common,
      INGEST_ADMIN_API_KEY: adminKey,
      VIGIE_SECRETS_KEY: randomBytes(32).toString('hex'),
      ...extra.ingest,
    }, output, runtime);
    processes.set('ingest', ingest);
    const withAuth = { ...common, VIGIE_AUTH_URL: ingest.url };
    const started = await Promise.all([
      startServiceProcess('scoring', { ...withAuth, ...extra.scoring }, output, runtime),
      startServiceProcess('nat', {
        ...withAuth,
        VIGIE_SERVICE_API_KEY: adminKey,
        NAT_WORKER_INTERVAL_MS: '200',
        NAT_VERIFY_BACKOFF_MS: '300',
        NAT_WEBHOOK_BACKOFF_MS: '300',
        // The platforms of a test stack serve their ads on loopback.
        NAT_VERIFY_PRIVATE_ADDRESSES: 'allow',
        ...extra.nat,
      }, output, runtime),
      startServiceProcess('audit', {
        ...withAuth,
        AUDIT_SIGNING_KEY_FILE: signingKeyFile,
        AUDIT_CHECKPOINT_FILE: join(scratch, 'checkpoints.jsonl'),
        AUDIT_CHECKPOINT_INTERVAL_MS: '2000',
        ...extra.audit,
      }, output, runtime),
    ]);
    for (const service of started) processes.set(service.name, service);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const get = (name: StackServiceName): ServiceProcess => processes.get(name) as ServiceProcess;
  const urls = { ingest: get('ingest').url, scoring: get('scoring').url, nat: get('nat').url, audit: get('audit').url };

  return {
    urls,
    adminKey,
    tenantPrefix: groupPrefix,
    runtime,
    databaseUrl: databaseUrl.toString(),
    kafkaBrokers,
    async call<T>(service: StackServiceName, method: string, path: string, key: string, body?: unknown) {
      const response = await fetch(`${urls[service]}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text) as T };
    },
    pid(name) {
      return get(name).child.pid;
    },
    isRunning(name) {
      const { child } = get(name);
      return child.exitCode === null && child.signalCode === null;
    },
    async kill(name, signal = 'SIGKILL') {
      await stopProcess(get(name).child, signal);
    },
    async restart(name) {
      const service = get(name);
      await stopProcess(service.child);
      const deadline = Date.now() + 150_000;
      for (let starts = 1; ; starts++) {
        service.child = spawnService(name, service.port, service.env, service.output, service.runtime);
        try {
          await waitReady(service, deadline);
          return starts;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await sleep(1000);
        }
      }
    },
    async close() {
      await stopAll();
      await adminQuery(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`, serverUrl).catch(() => undefined);
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

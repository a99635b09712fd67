import { canonicalJson, extendChain } from '@vigie/audit-chain';
import { createEvent, getEventDefinition, topicOf, type AnyEvent, type EventType } from '@vigie/contracts';
import { bootstrapService, type Caller, type RunningService } from '@vigie/service-kit';
import { openTestDatabasePool } from '@vigie/testing';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { Client } from 'pg';
import { auditService } from '../../audit.service';
import { withAppendLock } from '../../log/services/log-lock';

/**
 * A small harness for the SLA engine's integration specs: a fresh database, the audit service
 * in-process, a loopback stand-in for ingest's `/auth/whoami` (keys → callers), and a way to
 * append chained records to `audit.log` directly, as the log's consumer would.
 */
export interface SlaFixture {
  service: RunningService;
  readonly url: string;
  readonly tenantPrefix: string;
  key(caller: Omit<Caller, 'keyId' | 'principalId'>): string;
  append(events: AnyEvent[], clocks?: { brokerAt?: string; recordedAt?: string }): Promise<void>;
  call<T = unknown>(method: string, path: string, key: string | null, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; text: string; type: string }>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set for integration specs`);
  return value;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 20000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** An event of `type` built from its contract example, with the given envelope and data overrides. */
export function eventOf(type: EventType, envelope: { tenant: string; subject: string; occurredAt: string; correlationId?: string | null; source?: string }, data: Record<string, unknown>): AnyEvent {
  const example = getEventDefinition(type, 1)?.example as { data: Record<string, unknown>; source: string } | undefined;
  if (!example) throw new Error(`no example for ${type}`);
  return createEvent(type, {
    tenant: envelope.tenant,
    subject: envelope.subject,
    occurredAt: envelope.occurredAt,
    correlationId: envelope.correlationId ?? null,
    source: envelope.source ?? example.source,
    data: { ...example.data, ...data },
  } as never) as AnyEvent;
}

async function startAuth(callers: Map<string, Caller>): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const key = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    const caller = callers.get(key);
    response.writeHead(caller ? 200 : 401, { 'content-type': 'application/json' });
    response.end(JSON.stringify(caller ?? { message: 'unknown key' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startSlaFixture(env: Record<string, string> = {}): Promise<SlaFixture> {
  const suffix = randomBytes(4).toString('hex');
  const databaseName = `vigie_audit_sla_${suffix}`;
  const adminUrl = requireEnv('DATABASE_URL');
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${databaseName}"`);
  await admin.end();
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${databaseName}` }).toString();
  const callers = new Map<string, Caller>();
  const auth = await startAuth(callers);
  const serviceEnv = {
    KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
    DATABASE_URL: databaseUrl,
    AUDIT_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    KAFKA_CONSUMER_START: 'latest',
    KAFKA_CONSUMER_GROUP_PREFIX: `it-sla-${suffix}`,
    VIGIE_AUTH_URL: auth.url,
    AUDIT_PROJECTOR_POLL_MS: '50',
    AUDIT_ALERTS_POLL_MS: '100',
    AUDIT_CHECKPOINT_INTERVAL_MS: '0',
    AUDIT_CHECKPOINT_FILE: `/tmp/vigie-audit-sla-${suffix}.jsonl`,
    ...env,
  };
  let service = await bootstrapService(auditService, serviceEnv);
  const pool = openTestDatabasePool(databaseUrl);
  let offset = 0;
  const fixture: SlaFixture = {
    get service() {
      return service;
    },
    get url() {
      return service.url;
    },
    tenantPrefix: `it-sla-${suffix}`,
    key(caller) {
      const key = `key-${randomBytes(12).toString('hex')}`;
      callers.set(key, { ...caller, keyId: key.slice(0, 12), principalId: null });
      return key;
    },
    async append(events, clocks = {}) {
      for (const event of events) {
        const recordedAt = clocks.recordedAt ?? event.occurredAt;
        const broker = { topic: topicOf(event), partition: 0, offset: String(offset++), timestamp: clocks.brokerAt ?? event.occurredAt };
        // As the service appends (under its lock, from the stored chain head): the service chains
        // its own records (SLA alerts) into the same subjects meanwhile.
        await withAppendLock(pool, async (client) => {
          const [head] = (await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit.chain_heads WHERE subject = $1', [event.subject])).rows;
          const [record] = extendChain(event.subject, head ? { seq: Number(head.seq), hash: head.hash.trim() } : null, [{ event: JSON.parse(canonicalJson(event)), broker, recordedAt }]);
          const [{ position }] = (await client.query<{ position: string }>(
            `INSERT INTO audit.log (event_id, subject, tenant, type, seq, correlation_id, canonical, prev_hash, hash, occurred_at, broker_at, recorded_at, topic, kafka_partition, kafka_offset)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING position`,
            [event.id, event.subject, event.tenant, event.type, record.seq, event.correlationId, record.canonical, record.prevHash, record.hash, event.occurredAt, broker.timestamp, recordedAt, broker.topic, 0, broker.offset],
          )).rows;
          await client.query(
            `INSERT INTO audit.chain_heads (subject, tenant, seq, hash, position, last_type) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (subject) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, position = EXCLUDED.position, last_type = EXCLUDED.last_type`,
            [event.subject, event.tenant, record.seq, record.hash, position, event.type],
          );
        });
      }
    },
    async call(method, path, key, body, headers = {}) {
      const response = await fetch(`${service.url}${path}`, {
        method,
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const type = response.headers.get('content-type') ?? '';
      return { status: response.status, body: (type.includes('json') && text ? JSON.parse(text) : text) as never, text, type };
    },
    async query(sql, params = []) {
      return (await pool.query(sql, params)).rows;
    },
    async restart() {
      await service.close();
      service = await bootstrapService(auditService, serviceEnv);
    },
    async close() {
      await service.close();
      await pool.end();
      auth.server.close();
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
      await client.end();
    },
  };
  return fixture;
}

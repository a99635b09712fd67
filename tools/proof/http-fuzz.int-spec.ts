import { allTopicNames } from '@vigie/contracts';
import { createKafkaClient } from '@vigie/messaging';
import { startVigieStack, waitFor, type StackServiceName, type VigieStack } from '@vigie/testing';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { Random } from '../eval/prng';
import { generateCases, operationsOf, schemaResolver, type FuzzCase, type OpenApiDocument, type Operation, type ServiceName } from './support/fuzz-cases';
import { forEachConcurrently, RawHttpClient } from './support/raw-http';

/**
 * Bad input over HTTP (issue 9): every operation the four services document at `/docs/json`
 * gets malformed requests — wrong JSON types for every documented body field, missing and
 * unknown fields, strings and arrays over their limits, deep nesting, invalid UTF-8 and
 * overlong encodings, NUL bytes, wrong or missing content types, truncated JSON, broken NDJSON
 * lines, injection strings in every path parameter and query filter, out-of-range numbers and
 * dates — sent with a key of a role the operation allows (so validation is reached, not only
 * the guard), and some without one. Deterministic: the requests derive from the documents and
 * a fixed seed.
 *
 * Holds when no answer is a 5xx (every offender is reported at once), every service is still
 * running and ready, no table of any service schema gained or lost a row, and no message was
 * produced on any topic.
 */

jest.setTimeout(420_000);

const SEED = 0x5eed_f022;
/** Requests in total (systematic mutations first, seeded random ones fill up to this). */
const TOTAL_REQUESTS = 12_000;
const CONCURRENCY = 16;
const BODY_LIMIT = 5 * 1024 * 1024;
const SERVICES: readonly ServiceName[] = ['ingest', 'scoring', 'nat', 'audit'];
const ARTIFACTS = join(__dirname, '..', '..', 'tmp', 'test-artifacts', 'http-fuzz');

type Role = 'admin' | 'platform' | 'moderator' | 'officer' | 'trusted-flagger' | 'authority' | 'regulator';
/** Keys bound to the fuzz platform: refused by the guards when the path names another platform. */
const PLATFORM_BOUND: ReadonlySet<Role> = new Set(['platform', 'moderator', 'officer']);

/**
 * Operations that accept a valid body whatever well-formed id the path names: a removal report
 * may concern an ad ingest never saw (any printable id is a valid platform ad id). Their path
 * mutations go with an invalid body, so that nothing they send may be recorded.
 */
const ACCEPTS_UNKNOWN_IDS = new Set(['ingest POST /platforms/{platformId}/ads/{adId}/removal']);

/**
 * Operations whose free-text fields may carry control characters, NUL included: ad content is
 * normalised by ingest (controls stripped, original kept as bytes in the event), so such an ad
 * is valid input; the fuzz breaks those ads some other way.
 */
const CONTROL_CHARACTERS_ALLOWED = new Set(['ingest POST /platforms/{platformId}/ads']);

/**
 * Tables whose row counts may change without anything being stored for a request. The services
 * keep rate limits and key caches in memory, and the stack is idle while the fuzz runs (no ads,
 * no cases), so the outbox, inbox and checkpoint tables stay put; only:
 */
const VOLATILE_TABLES = new Set<string>([
  // One row per upload to POST /imports/moderation-log, written before the first line is read:
  // the job's own progress and rejected lines (GET /imports/{id}), not imported data. What an
  // import records goes to audit.log and the projections, which are counted.
  'audit.history_imports',
]);

interface Offender {
  status: number;
  operation: string;
  label: string;
  request: string;
  body: string;
  answer: string;
}

let stack: VigieStack;
const keys = {} as Record<Role, string>;
let platformId: string;

function excerpt(body: FuzzCase['body'] | Buffer, length = 160): string {
  if (body === undefined) return '';
  const bytes = typeof body === 'function' ? Buffer.from('<large body>') : Array.isArray(body) ? Buffer.concat(body) : body;
  // eslint-disable-next-line no-control-regex -- control characters are what is being escaped
  const text = bytes.subarray(0, length).toString('utf8').replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return bytes.length > length ? `${text}… (${bytes.length} bytes)` : text;
}

async function rowCounts(): Promise<Map<string, number>> {
  const client = new Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
        ORDER BY 1, 2`,
    );
    const counts = new Map<string, number>();
    for (const { table_schema: schema, table_name: table } of tables) {
      const name = `${schema}.${table}`;
      if (VOLATILE_TABLES.has(name)) continue;
      const { rows } = await client.query<{ count: string }>(`SELECT count(*) AS count FROM "${schema}"."${table}"`);
      counts.set(name, Number(rows[0].count));
    }
    return counts;
  } finally {
    await client.end();
  }
}

/**
 * The end offset of every topic and its dead-letter twin. Integration specs run one at a time
 * (`--runInBand`) and this stack is idle, so any message produced meanwhile is the fuzz's doing.
 */
async function topicOffsets(): Promise<Map<string, number>> {
  const kafka = createKafkaClient({ brokers: stack.kafkaBrokers.split(','), clientId: 'http-fuzz-offsets' });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = new Map<string, number>();
    for (const topic of allTopicNames({ withDlq: true })) {
      const partitions = await admin.fetchTopicOffsets(topic);
      offsets.set(topic, partitions.reduce((sum, { high }) => sum + Number(high), 0));
    }
    return offsets;
  } finally {
    await admin.disconnect();
  }
}

/** Differences between two snapshots, as `name: before → after`. */
function differences(before: Map<string, number>, after: Map<string, number>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name)).map((name) => `${name}: ${before.get(name) ?? 'absent'} → ${after.get(name) ?? 'absent'}`);
}

/** A snapshot taken once two consecutive readings agree (the stack has settled). */
async function settled<T extends Map<string, number>>(read: () => Promise<T>, what: string): Promise<T> {
  let previous = await read();
  return waitFor(
    async () => {
      const current = await read();
      const stable = differences(previous, current).length === 0;
      previous = current;
      return stable ? current : undefined;
    },
    30_000,
    `${what} to settle`,
  );
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startVigieStack({
    label: 'http-fuzz',
    // Anonymous notices are rate-limited per address; the fuzz must reach their validation.
    env: { nat: { NAT_PUBLIC_NOTICES_PER_MINUTE: '100000' } },
    serviceOutput: { file: join(ARTIFACTS, 'services.log') },
  });
  platformId = `${stack.tenantPrefix}-fuzz`;
  keys.admin = stack.adminKey;
  const created = await stack.call<{ apiKey: string }>('ingest', 'POST', '/admin/platforms', stack.adminKey, { id: platformId, name: 'Fuzz annonces', integrationMode: 'http' });
  expect(created.status).toBe(201);
  keys.platform = created.body.apiKey;
  const key = async (role: Role, principalId: string, boundTo?: string) => {
    const issued = await stack.call<{ apiKey: string }>('ingest', 'POST', '/admin/keys', stack.adminKey, {
      role,
      principalId,
      label: `fuzz ${role}`,
      ...(boundTo ? { platformId: boundTo } : {}),
    });
    expect(issued.status).toBe(201);
    return issued.body.apiKey;
  };
  keys.moderator = await key('moderator', 'mod-fuzz', platformId);
  keys.officer = await key('officer', 'officer-fuzz', platformId);
  keys['trusted-flagger'] = await key('trusted-flagger', 'FR-TF-FUZZ');
  keys.authority = await key('authority', 'ofac-fuzz');
  keys.regulator = await key('regulator', 'arcom-fuzz');
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

it('answers every malformed request with a 4xx, stays up and stores nothing', async () => {
  const started = Date.now();

  // 1. The operations, from each service's OpenAPI document.
  const operations: Operation[] = [];
  const resolvers = new Map<ServiceName, ReturnType<typeof schemaResolver>>();
  for (const service of SERVICES) {
    const document = (await (await fetch(`${stack.urls[service]}/docs/json`)).json()) as OpenApiDocument;
    resolvers.set(service, schemaResolver(document));
    const documented = operationsOf(service, document);
    if (documented.filter((op) => op.path !== '/health' && op.path !== '/ready').length === 0) {
      throw new Error(`${service} documents no operation besides health and readiness at /docs/json`);
    }
    operations.push(...documented);
  }

  // 2. Which of our keys each operation lets through its guard (401/403 otherwise), probed
  //    with well-formed ids and no body.
  const clients = Object.fromEntries(SERVICES.map((service) => [service, new RawHttpClient(stack.urls[service])])) as Record<ServiceName, RawHttpClient>;
  const allowed = new Map<string, Role[]>();
  const context = { platformId, seed: SEED, bodyLimit: BODY_LIMIT, resolve: (service: ServiceName) => resolvers.get(service) as ReturnType<typeof schemaResolver>, acceptsUnknownIds: ACCEPTS_UNKNOWN_IDS, controlCharactersAllowed: CONTROL_CHARACTERS_ALLOWED };
  for (const op of operations.filter((candidate) => candidate.secured)) {
    const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => (name === 'platformId' ? platformId : name === 'adId' ? 'fuzz-ad-0001' : '0190f5a0-8b2c-7d3e-9f40-123456789abc'));
    const roles: Role[] = [];
    for (const role of Object.keys(keys) as Role[]) {
      const answer = await clients[op.service].send({ method: op.method, path, headers: { authorization: `Bearer ${keys[role]}` } });
      if (answer.status !== 401 && answer.status !== 403) roles.push(role);
    }
    if (roles.length === 0) throw new Error(`no key of any role gets through the guard of ${op.id}`);
    allowed.set(op.id, roles);
  }

  // 3. The malformed requests.
  const cases = generateCases(operations, context, TOTAL_REQUESTS);
  expect(cases.length).toBeGreaterThanOrEqual(10_000);
  for (const service of SERVICES) expect(cases.some((c) => c.op.service === service)).toBe(true);
  const pickKey = new Random(SEED ^ 0x7fff);
  const headersFor = (c: FuzzCase): Record<string, string> => {
    if (c.auth.kind === 'none') return c.headers;
    if (c.auth.kind === 'garbage') return { ...c.headers, ...c.auth.headers };
    const roles = allowed.get(c.op.id) as Role[];
    const unbound = roles.filter((role) => !PLATFORM_BOUND.has(role));
    const role = pickKey.pick(c.foreignPlatform && unbound.length > 0 ? unbound : roles);
    return { ...c.headers, authorization: `Bearer ${keys[role]}` };
  };
  const prepared = cases.map((c) => ({ fuzz: c, headers: headersFor(c) }));

  // 4. Before: every table's row count and every topic's end offset, once the stack is idle.
  const rowsBefore = await settled(rowCounts, 'row counts');
  const schemas = new Set([...rowsBefore.keys()].map((name) => name.split('.')[0]));
  for (const schema of ['ingest', 'scoring', 'notice_and_takedown', 'audit']) expect(schemas).toContain(schema);
  const offsetsBefore = await settled(topicOffsets, 'topic offsets');

  // 5. Fire.
  const fuzzStarted = Date.now();
  const statuses = new Map<number, number>();
  const statusesByOperation = new Map<string, Record<number, number>>();
  const offenders: Offender[] = [];
  let retried = 0;
  await forEachConcurrently(prepared, CONCURRENCY, async ({ fuzz, headers }) => {
    const body = typeof fuzz.body === 'function' ? fuzz.body() : fuzz.body;
    const request = { method: fuzz.method, path: fuzz.url, headers, body };
    let answer = await clients[fuzz.op.service].send(request);
    for (let attempt = 0; attempt < 3 && answer.status === 0 && body !== undefined && /EPIPE|ECONNRESET/.test(answer.error ?? ''); attempt++) {
      // Refused part way through the upload and closed with the rest unread: the connection is
      // reset, and writing into it loses the answer. Again, paced, so the answer is read first.
      retried++;
      answer = await clients[fuzz.op.service].send(request, true);
    }
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const tally = statusesByOperation.get(fuzz.op.id) ?? {};
    tally[answer.status] = (tally[answer.status] ?? 0) + 1;
    statusesByOperation.set(fuzz.op.id, tally);
    if (answer.status >= 500 || answer.status <= 0) {
      offenders.push({
        status: answer.status,
        operation: fuzz.op.id,
        label: fuzz.label,
        request: `${fuzz.method} ${fuzz.url.slice(0, 200)} (${fuzz.auth.kind === 'role' ? `key: ${headers.authorization?.slice(7, 20)}…` : fuzz.auth.kind})`,
        body: excerpt(body),
        answer: answer.error ? `error: ${answer.error}` : answer.excerpt.slice(0, 300),
      });
    }
  });
  const fuzzMs = Date.now() - fuzzStarted;

  // 6. After: still up and ready, nothing stored, nothing published.
  const running = SERVICES.filter((service) => !stack.isRunning(service as StackServiceName));
  const ready = await Promise.all(SERVICES.map(async (service) => ({ service, status: await fetch(`${stack.urls[service]}/ready`).then((r) => r.status, () => 0) })));
  const rowsAfter = await settled(rowCounts, 'row counts');
  const offsetsAfter = await settled(topicOffsets, 'topic offsets');

  const summary = {
    requests: prepared.length,
    operations: operations.length,
    fuzzSeconds: Math.round(fuzzMs / 100) / 10,
    resentPaced: retried,
    tablesCounted: rowsBefore.size,
    topicsWatched: offsetsBefore.size,
    totalSeconds: Math.round((Date.now() - started) / 100) / 10,
    statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
    statusesByOperation: Object.fromEntries(statusesByOperation),
    offenders,
  };
  writeFileSync(join(ARTIFACTS, 'report.json'), JSON.stringify(summary, null, 2));
  console.log(
    `HTTP fuzz: ${prepared.length} requests over ${operations.length} operations in ${summary.fuzzSeconds} s ` +
      `(${summary.totalSeconds} s with probes and snapshots); statuses ${JSON.stringify(summary.statuses)}; ${retried} resent paced after a reset; ` +
      `${rowsBefore.size} tables and ${offsetsBefore.size} topics watched`,
  );

  const problems: string[] = [];
  if (offenders.length > 0) {
    const grouped = new Map<string, Offender[]>();
    for (const offender of offenders) grouped.set(`${offender.status} ${offender.operation}`, [...(grouped.get(`${offender.status} ${offender.operation}`) ?? []), offender]);
    problems.push(
      `${offenders.length} requests answered 5xx or no answer (full list in tmp/test-artifacts/http-fuzz/report.json):\n` +
        [...grouped]
          .map(([key, list]) => `  ${key} ×${list.length}\n${list.slice(0, 4).map((o) => `    [${o.label}] ${o.request}\n      body: ${o.body}\n      answer: ${o.answer}`).join('\n')}`)
          .join('\n'),
    );
  }
  if (running.length > 0) problems.push(`services no longer running: ${running.join(', ')}`);
  const notReady = ready.filter((r) => r.status !== 200);
  if (notReady.length > 0) problems.push(`services not ready: ${notReady.map((r) => `${r.service} ${r.status}`).join(', ')}`);
  const changedRows = differences(rowsBefore, rowsAfter);
  if (changedRows.length > 0) problems.push(`rows changed by malformed requests:\n  ${changedRows.join('\n  ')}`);
  const changedTopics = differences(offsetsBefore, offsetsAfter);
  if (changedTopics.length > 0) problems.push(`messages produced during the fuzz:\n  ${changedTopics.join('\n  ')}`);
  if (problems.length > 0) throw new Error(problems.join('\n\n'));
});

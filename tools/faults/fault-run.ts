import { ABUSE_CATEGORIES } from '@vigie/contracts';
import { startVigieStack, type StackServiceName, type VigieStack } from '@vigie/testing';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { Random } from '../eval/prng';
import { ScenarioDriver } from './driver';
import { httpCall, sleep } from './http';
import { startLoopbackPlatform, type LoopbackPlatform } from './loopback-platform';
import { AUDITED_TOPICS, DLQ_TOPICS, auditFacts, consumerLag, endOffsets, kafkaFor, readTopics, type AuditFacts } from './observations';
import type { Scenario } from './scenario';
import { expectedSla, kindFigures, slaDifferences, type ComparableSla, type SlaFigures } from './sla-expectation';

/**
 * One fault-test run: a fresh stack (four services, fresh database), the loopback platform, the
 * scenario driven through the public APIs while one kind of fault is injected at seeded points
 * of the ad stream, then — once everything has settled — the checks.
 */

export const FAULT_KINDS = ['none', 'sigkill', 'kafka-restart', 'postgres-restart', 'webhook-outage'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const STACK_SERVICES: StackServiceName[] = ['ingest', 'scoring', 'nat', 'audit'];

export interface FaultRunOptions {
  readonly kind: FaultKind;
  readonly scenario: Scenario;
  /** Seeds the fault schedule (which moments, which downtimes). */
  readonly seed: number;
  readonly rate: number;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly kafkaBrokers: string;
  /** PostgreSQL server the run's database is created on. */
  readonly databaseUrl: string;
  readonly restartKafka?: (downtimeMs: number) => Promise<void>;
  readonly restartPostgres?: (downtimeMs: number) => Promise<void>;
  /** sigkill: SIGKILLs of each service, at seeded points of the stream. */
  readonly killsPerService: number;
  readonly brokerDowntimeMs: number;
  readonly postgresDowntimeMs: number;
  readonly outageMs: number;
  /** Faults of other kinds injected in the same run (the short CI variant combines several). */
  readonly alsoFaults?: readonly FaultKind[];
  /**
   * A stack to run on, left running afterwards (the CI variant runs its fault-free and faulty
   * runs on one stack, as two platforms); by default the run starts its own and closes it.
   */
  readonly stack?: VigieStack;
  /** Faults that may be under way at once (default 1: one after the other). */
  readonly parallelFaults?: number;
  readonly settleTimeoutMs: number;
  /** The fault-free run of the same scenario, to compare with. */
  readonly baseline?: FaultRunResult;
  /** Folder for the services' logs of this run (when it starts its own stack). */
  readonly logDir: string;
  readonly log: (line: string) => void;
}

export interface Injection {
  what: string;
  /** Wall-clock time the fault was injected. */
  at: string;
  /** Share of the ad stream sent when it was injected. */
  progress: number;
  /** Until the faulty component was back (restarted and ready, webhook answering). */
  backAt: string | null;
  downMs: number | null;
  detail?: Record<string, unknown>;
}

export interface Assertion {
  name: string;
  pass: boolean;
  detail: string;
}

export interface FaultRunResult {
  kind: FaultKind;
  platformId: string;
  startedAt: string;
  durationMs: number;
  phasesMs: { stackStart: number; stream: number; settle: number; checks: number };
  settled: boolean;
  injections: Injection[];
  counts: Record<string, unknown>;
  /** Audit log records by event type. */
  eventTypes: Record<string, number>;
  sla: ComparableSla | null;
  assertions: Assertion[];
  passed: boolean;
}

/**
 * Event types whose number depends on timing, not compared between runs: claims renewed after a
 * lost answer, failed webhook attempts (outages), checkpoints (one per interval), and
 * `takedown.delivered`: when notice-and-takedown dies between the platform's answer and
 * recording it, and the platform confirms meanwhile, the command is not sent again (the platform
 * has it) and its delivery is never recorded. Each is still checked: at most one delivery per command.
 */
export const TIMING_DEPENDENT_TYPES = new Set(['case.claimed', 'takedown.delivery-failed', 'audit.checkpoint', 'takedown.delivered']);

const REPORT_SOURCES = ['public', 'trusted-flagger', 'authority-order', 'own-initiative'];

interface ScheduledFault {
  at: number;
  label: string;
  run: (progress: number) => Promise<Injection>;
}

/** Runs the seeded faults as the stream passes their points, at most `parallel` at a time. */
class FaultInjector {
  private readonly queue: ScheduledFault[] = [];
  private readonly running = new Set<Promise<void>>();
  private progress = 0;
  readonly injections: Injection[] = [];
  private readonly background: Promise<unknown>[] = [];

  constructor(
    private readonly log: (line: string) => void,
    private readonly parallel = 1,
  ) {}

  add(faults: ScheduledFault[]): void {
    this.queue.push(...faults);
    this.queue.sort((a, b) => a.at - b.at);
  }

  /** The planned faults, for the record. */
  get planned(): { at: number; label: string }[] {
    return this.queue.map(({ at, label }) => ({ at, label }));
  }

  onProgress(progress: number): void {
    this.progress = progress;
    this.next();
  }

  /** Work a fault leaves running after it returned (a webhook outage's end). */
  keep(work: Promise<unknown>): void {
    this.background.push(work);
  }

  private next(): void {
    while (this.running.size < this.parallel && this.queue.length > 0 && this.queue[0].at <= this.progress) {
      const fault = this.queue.shift() as ScheduledFault;
      const progress = Math.min(1, this.progress);
      this.log(`fault: ${fault.label} at ${(progress * 100).toFixed(1)} % of the stream`);
      const work: Promise<void> = fault
        .run(progress)
        .then((injection) => {
          this.injections.push(injection);
        })
        .catch((error: Error) => {
          this.injections.push({ what: `${fault.label} (failed: ${error.message})`, at: new Date().toISOString(), progress, backAt: null, downMs: null });
          this.log(`fault ${fault.label} failed: ${error.message}`);
        })
        .finally(() => {
          this.running.delete(work);
          this.next();
        });
      this.running.add(work);
    }
  }

  /** Runs whatever is left (the stream is over) and waits for every fault to have ended. */
  async drain(): Promise<void> {
    this.progress = Number.POSITIVE_INFINITY;
    this.next();
    while (this.running.size > 0) {
      await Promise.all([...this.running]);
      this.next();
    }
    await Promise.all(this.background);
  }
}

function schedule(options: FaultRunOptions, stack: VigieStack, platform: LoopbackPlatform, injector: FaultInjector): ScheduledFault[] {
  const random = new Random(options.seed ^ 0x5eed);
  const kinds = [options.kind, ...(options.alsoFaults ?? []).filter((kind) => kind !== options.kind)];
  return kinds.flatMap((kind) => faultsOf(kind, options, stack, platform, injector, random));
}

/** One restart of the broker or the database, somewhere in the middle third of the stream. */
function restartFault(random: Random, label: string, what: string, restart: ((downtimeMs: number) => Promise<void>) | undefined, downtimeMs: number): ScheduledFault {
  return {
    at: 0.3 + random.float() * 0.3,
    label,
    run: async (progress) => {
      if (!restart) throw new Error(`this run has nothing of its own to restart for: ${label}`);
      const at = new Date().toISOString();
      const began = Date.now();
      await restart(downtimeMs);
      return { what, at, progress, backAt: new Date().toISOString(), downMs: Date.now() - began, detail: { plannedDowntimeMs: downtimeMs } };
    },
  };
}

function faultsOf(
  kind: FaultKind,
  options: FaultRunOptions,
  stack: VigieStack,
  platform: LoopbackPlatform,
  injector: FaultInjector,
  random: Random,
): ScheduledFault[] {
  const now = () => new Date().toISOString();
  switch (kind) {
    case 'none':
      return [];
    case 'sigkill': {
      const faults: ScheduledFault[] = [];
      for (const service of STACK_SERVICES) {
        for (let k = 0; k < options.killsPerService; k++) {
          const at = 0.05 + random.float() * 0.85;
          const downMs = random.int(0, 2000);
          faults.push({
            at,
            label: `SIGKILL ${service}`,
            run: async (progress) => {
              const pid = stack.pid(service);
              const at = now();
              const began = Date.now();
              await stack.kill(service, 'SIGKILL');
              await sleep(downMs);
              const starts = await stack.restart(service);
              return { what: `SIGKILL ${service}`, at, progress, backAt: now(), downMs: Date.now() - began, detail: { pid, pauseBeforeRestartMs: downMs, starts } };
            },
          });
        }
      }
      return faults;
    }
    case 'kafka-restart':
      return [restartFault(random, 'Kafka broker restart', 'Kafka broker restart (controlled shutdown, same port and data)', options.restartKafka, options.brokerDowntimeMs)];
    case 'postgres-restart':
      return [
        restartFault(random, 'PostgreSQL restart', 'PostgreSQL restart (embedded server, fast shutdown, same port and data)', options.restartPostgres, options.postgresDowntimeMs),
      ];
    case 'webhook-outage':
      return [
        {
          at: 0.2 + random.float() * 0.2,
          label: `platform webhook down for ${Math.round(options.outageMs / 1000)} s`,
          run: async (progress) => {
            const at = now();
            const began = Date.now();
            platform.setWebhookDown(true);
            const injection: Injection = { what: 'platform webhook outage (503 to every call)', at, progress, backAt: null, downMs: null, detail: { plannedMs: options.outageMs } };
            injector.keep(
              sleep(options.outageMs).then(() => {
                platform.setWebhookDown(false);
                injection.backAt = now();
                injection.downMs = Date.now() - began;
                options.log('fault: the platform webhook is back');
              }),
            );
            return injection;
          },
        },
      ];
  }
}

export interface FaultStackOptions {
  /** Names the stack's database, groups and tenants. */
  readonly label: string;
  readonly kafkaBrokers: string;
  readonly databaseUrl: string;
  /** The services' output (stderr and log lines) is appended there. */
  readonly logFile: string;
  /**
   * How long the broker keeps a killed service's partitions before its restarted self can have
   * them (KAFKA_CONSUMER_SESSION_TIMEOUT_MS; the services' default, 30 s, when not given).
   */
  readonly consumerSessionTimeoutMs?: number;
}

/**
 * The four services as the fault runs need them: the compiled ones when dist/ is current (a
 * restart after a SIGKILL is then bounded by the broker's session timeout, not by compiling
 * TypeScript), public notices not rate-limited (the notifiers are the scenario's), and a
 * webhook breaker that retries an outage's end within seconds.
 */
export function startFaultStack(options: FaultStackOptions): Promise<VigieStack> {
  const session: Record<string, string> = options.consumerSessionTimeoutMs ? { KAFKA_CONSUMER_SESSION_TIMEOUT_MS: String(options.consumerSessionTimeoutMs) } : {};
  return startVigieStack({
    label: options.label.slice(0, 30),
    kafkaBrokers: options.kafkaBrokers,
    databaseUrl: options.databaseUrl,
    serviceOutput: { file: options.logFile },
    runtime: 'compiled-if-current',
    env: {
      ingest: session,
      scoring: session,
      nat: { ...session, NAT_PUBLIC_NOTICES_PER_MINUTE: '100000', NAT_BREAKER_RESET_MS: '5000' },
      audit: session,
    },
  });
}

export async function runFaultScenario(options: FaultRunOptions): Promise<FaultRunResult> {
  const { scenario, log } = options;
  const startedAt = new Date();
  if (!options.stack) mkdirSync(options.logDir, { recursive: true });
  const phasesMs = { stackStart: 0, stream: 0, settle: 0, checks: 0 };
  let phaseStart = Date.now();
  const stack =
    options.stack ??
    (await startFaultStack({ label: `faults-${options.kind}`, kafkaBrokers: options.kafkaBrokers, databaseUrl: options.databaseUrl, logFile: join(options.logDir, 'services.log') }));
  phasesMs.stackStart = Date.now() - phaseStart;
  if (!options.stack) log(`stack ready in ${(phasesMs.stackStart / 1000).toFixed(1)} s (${stack.runtime}; database ${new URL(stack.databaseUrl).pathname.slice(1)})`);
  const platform = await startLoopbackPlatform();
  const pool = new Pool({ connectionString: stack.databaseUrl, max: 3 });
  pool.on('error', () => undefined); // a PostgreSQL restart cuts idle connections; queries retry
  const kafka = kafkaFor(options.kafkaBrokers, `faults-${options.kind}`);
  try {
    const startOffsets = await endOffsets(kafka, [...AUDITED_TOPICS, ...DLQ_TOPICS]);
    const platformId = `${stack.tenantPrefix}-${options.kind}`;
    const admin = (path: string, body: unknown) => stack.call<{ apiKey: string; webhookSecret?: string }>('ingest', 'POST', path, stack.adminKey, body);
    const created = await admin('/admin/platforms', { id: platformId, name: 'Annonces (fault tests)', integrationMode: 'http', webhookUrl: platform.webhookUrl });
    if (created.status !== 201) throw new Error(`registering the platform answered ${created.status}: ${JSON.stringify(created.body)}`);
    const key = async (role: string, principalId: string, boundTo?: string) => {
      const answer = await admin('/admin/keys', { role, principalId, label: `faults ${role}`, ...(boundTo ? { platformId: boundTo } : {}) });
      if (answer.status !== 201) throw new Error(`issuing a ${role} key answered ${answer.status}`);
      return answer.body.apiKey;
    };
    const keys = { platform: created.body.apiKey, flagger: await key('trusted-flagger', 'FR-TF-FAULTS'), moderator: await key('moderator', 'mod-faults', platformId) };
    platform.connect({
      secret: created.body.webhookSecret ?? '',
      confirm: async (effect) =>
        (
          await httpCall(stack.urls.nat, 'POST', `/platforms/${platformId}/takedown-results`, keys.platform, {
            commandId: effect.commandId,
            action: effect.action,
            confirmedAt: new Date(effect.executedAt).toISOString(),
            platformReference: `ticket-${effect.commandId.slice(-8)}`,
          })
        ).status,
    });

    const driver = new ScenarioDriver({
      urls: { ingest: stack.urls.ingest, nat: stack.urls.nat },
      keys,
      platformId,
      platform,
      scenario,
      rate: options.rate,
      batchSize: options.batchSize,
      concurrency: options.concurrency,
      publishedAt: new Date(startedAt.getTime() - 3_600_000).toISOString(),
      noticeRecorded: async (reference) =>
        (await pool.query(`SELECT 1 FROM notice_and_takedown.notices WHERE strpos(explanation, $1) > 0 LIMIT 1`, [reference])).rowCount !== 0,
      log,
    });
    const injector = new FaultInjector(log, options.parallelFaults ?? 1);
    injector.add(schedule(options, stack, platform, injector));
    log(`faults planned: ${injector.planned.map((fault) => `${fault.label} at ${(fault.at * 100).toFixed(0)} %`).join(', ') || 'none'}`);

    // Stream, notices and moderation together; faults fire as the stream passes their points.
    phaseStart = Date.now();
    let lastLogged = 0;
    const moderation = driver.moderate();
    await driver.stream((sent) => {
      injector.onProgress(sent / scenario.ads.length);
      if (Date.now() - lastLogged > 10_000) {
        lastLogged = Date.now();
        log(`stream: ${sent}/${scenario.ads.length} ads sent · decisions ${driver.stats.decisions} · commands executed ${platform.effects.size}`);
      }
    });
    await injector.drain();
    phasesMs.stream = Date.now() - phaseStart;
    log(`stream done in ${(phasesMs.stream / 1000).toFixed(1)} s; waiting for the stack to settle`);

    // Settle: everything sent has gone through every service and the platform.
    phaseStart = Date.now();
    const settled = await settle(options, stack, pool, kafka, platform, driver, platformId);
    driver.stop();
    await moderation;
    phasesMs.settle = Date.now() - phaseStart;
    log(`${settled ? 'settled' : 'NOT settled'} after ${(phasesMs.settle / 1000).toFixed(1)} s; checking`);

    phaseStart = Date.now();
    const facts = await auditFacts(pool, platformId);
    const scanned = await readTopics(kafka, [...AUDITED_TOPICS, ...DLQ_TOPICS], startOffsets, platformId);
    const onTopics = { events: scanned.events.filter((event) => !event.topic.endsWith('.dlq')) };
    const dead = { messages: scanned.messagesByTopic.filter(([topic]) => topic.endsWith('.dlq')).reduce((sum, [, n]) => sum + n, 0) };
    const verification = await stack.call<{ ok: boolean; records: number; findingCount: number; findings: unknown[]; checkpoints: unknown[] }>('audit', 'POST', '/admin/verify', stack.adminKey);
    const sla = await comparableSla(stack, platformId);
    const [commandRows] = [
      (
        await pool.query<{ status: string; n: string; verified: string }>(
          `SELECT status, count(*) AS n, count(verified_at) AS verified FROM notice_and_takedown.takedown_commands WHERE platform_id = $1 GROUP BY status`,
          [platformId],
        )
      ).rows,
    ];
    const unverified = (
      await pool.query(
        `SELECT id, ad_id, status, url IS NOT NULL AS has_url, delivered_at, confirmed_at, verification_attempts, next_verification_at, last_error
           FROM notice_and_takedown.takedown_commands WHERE platform_id = $1 AND verified_at IS NULL LIMIT 3`,
        [platformId],
      )
    ).rows;
    const assertions = check(options, facts, onTopics.events, dead.messages, verification, sla, platform, driver, commandRows, settled, unverified);
    phasesMs.checks = Date.now() - phaseStart;

    const topicIds = new Set(onTopics.events.map((event) => event.id));
    const counts = {
      adsSent: driver.stats.adsSent,
      adsAccepted: driver.stats.adsAccepted,
      adsDuplicateOnResend: driver.stats.adsDuplicate,
      adsRejected: driver.stats.adsRejected,
      batchResends: driver.stats.batchRetries,
      notices: driver.stats.noticesSent,
      noticeRetries: driver.stats.noticeRetries,
      noticesFoundAfterLostAnswer: driver.stats.noticesFoundAfterLostAnswer,
      decisions: driver.decided.size,
      decisionsFoundAfterLostAnswer: driver.stats.decisionsFoundAfterLostAnswer,
      unexpectedCases: driver.stats.unexpectedCases.length,
      commandsRequested: facts.requestedCommands.size,
      commandsExecutedByPlatform: platform.effects.size,
      webhookCalls: platform.stats.webhookCalls,
      webhookCallsRefusedWhileDown: platform.stats.refusedWhileDown,
      repeatedDeliveries: platform.stats.repeatedDeliveries,
      badSignatures: platform.stats.badSignatures,
      auditRecords: facts.records,
      eventsOnTopics: topicIds.size,
      messagesOnTopics: onTopics.events.length,
      republishedMessages: onTopics.events.length - topicIds.size,
      deadLetters: dead.messages,
      verify: { ok: verification.body.ok, records: verification.body.records, findings: verification.body.findingCount },
      driverErrors: driver.stats.errors.slice(0, 10),
    };
    const result: FaultRunResult = {
      kind: options.kind,
      platformId,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      phasesMs,
      settled,
      injections: injector.injections,
      counts,
      eventTypes: facts.byType,
      sla,
      assertions,
      passed: assertions.every((assertion) => assertion.pass),
    };
    for (const assertion of assertions) log(`${assertion.pass ? 'PASS' : 'FAIL'} ${assertion.name}: ${assertion.detail}`);
    return result;
  } finally {
    await pool.end().catch(() => undefined);
    await platform.close();
    // FAULTS_KEEP_STACK=1 leaves the services and the database up to investigate a failure.
    if (process.env.FAULTS_KEEP_STACK === '1') log(`stack kept: ${JSON.stringify({ urls: stack.urls, adminKey: stack.adminKey, databaseUrl: stack.databaseUrl })}`);
    else if (!options.stack) await stack.close();
  }
}

interface SettleState {
  lag: Record<string, number>;
  outboxes: number;
  scored: number;
  decided: number;
  commands: number;
  commandsOpen: number;
  confirmationsPending: number;
  projectionBehind: number;
  queueEmpty: boolean;
}

async function settle(
  options: FaultRunOptions,
  stack: VigieStack,
  pool: Pool,
  kafka: ReturnType<typeof kafkaFor>,
  platform: LoopbackPlatform,
  driver: ScenarioDriver,
  platformId: string,
): Promise<boolean> {
  const { scenario, log } = options;
  const deadline = Date.now() + options.settleTimeoutMs;
  let quietRounds = 0;
  let lastLog = 0;
  let state: SettleState | undefined;
  while (Date.now() < deadline) {
    try {
      const lag = await consumerLag(kafka, stack.tenantPrefix);
      const one = async (sql: string, params: unknown[] = []) => Number(Object.values((await pool.query(sql, params)).rows[0])[0] ?? 0);
      const outboxes =
        (await one('SELECT count(*) FROM ingest.outbox')) +
        (await one('SELECT count(*) FROM scoring.outbox')) +
        (await one('SELECT count(*) FROM notice_and_takedown.outbox')) +
        (await one('SELECT count(*) FROM audit.outbox'));
      const scored = await one(`SELECT count(*) FROM audit.log WHERE tenant = $1 AND type = 'ad.scored'`, [platformId]);
      const commands = await one(`SELECT count(*) FROM notice_and_takedown.takedown_commands WHERE platform_id = $1`, [platformId]);
      const commandsOpen = await one(
        `SELECT count(*) FROM notice_and_takedown.takedown_commands WHERE platform_id = $1 AND (status <> 'confirmed' OR verified_at IS NULL)`,
        [platformId],
      );
      const projected = await httpCall<{ position: number }>(stack.urls.audit, 'GET', '/admin/projections', stack.adminKey);
      const logEnd = await one('SELECT coalesce(max(position), 0) FROM audit.log');
      state = {
        lag,
        outboxes,
        scored,
        decided: driver.decided.size,
        commands,
        commandsOpen,
        confirmationsPending: platform.pendingConfirmations(),
        projectionBehind: projected.status === 200 ? logEnd - Number(projected.body.position) : Number.NaN,
        queueEmpty: driver.reviewQueueEmptySince !== null && Date.now() - driver.reviewQueueEmptySince > 1000,
      };
      const quiet =
        Object.values(lag).every((n) => n === 0) &&
        outboxes === 0 &&
        scored >= scenario.expected.ads &&
        state.decided >= scenario.expected.cases &&
        state.queueEmpty &&
        commandsOpen === 0 &&
        commands >= scenario.expected.removals &&
        state.confirmationsPending === 0 &&
        state.projectionBehind === 0 &&
        !platform.webhookDown;
      quietRounds = quiet ? quietRounds + 1 : 0;
      if (quietRounds >= 3) return true;
    } catch (error) {
      quietRounds = 0;
      state = undefined;
      if (Date.now() - lastLog > 10_000) log(`settle: ${(error as Error).message}`);
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      if (state) log(`settle: ${JSON.stringify(state)}`);
    }
    await sleep(2000);
  }
  log(`settle: gave up after ${options.settleTimeoutMs / 1000} s; last state ${JSON.stringify(state)}`);
  return false;
}

async function comparableSla(stack: VigieStack, platformId: string): Promise<ComparableSla | null> {
  const figures = async (filter: Record<string, string>): Promise<SlaFigures | null> => {
    const query = new URLSearchParams({ platformId, limit: '0', ...filter });
    const answer = await stack.call<Record<string, unknown> & { response: Record<string, unknown>; removal: Record<string, unknown> }>(
      'audit',
      'GET',
      `/reports/sla?${query}`,
      stack.adminKey,
    );
    if (answer.status !== 200) return null;
    return {
      cases: Number(answer.body.cases),
      casesWithAnomalies: Number(answer.body.casesWithAnomalies),
      breachesTotal: Number(answer.body.breachesTotal),
      response: kindFigures(answer.body.response),
      removal: kindFigures(answer.body.removal),
    };
  };
  const overall = await figures({});
  if (!overall) return null;
  const bySource: Record<string, SlaFigures> = {};
  for (const source of REPORT_SOURCES) {
    const value = await figures({ source });
    if (value && value.cases > 0) bySource[source] = value;
  }
  const byCategory: Record<string, SlaFigures> = {};
  for (const category of ABUSE_CATEGORIES) {
    const value = await figures({ category });
    if (value && value.cases > 0) byCategory[category] = value;
  }
  return { overall, bySource, byCategory };
}

function check(
  options: FaultRunOptions,
  facts: AuditFacts,
  topicEvents: { id: string; type: string }[],
  deadLetters: number,
  verification: { status: number; body: { ok: boolean; records: number; findingCount: number; findings?: unknown[] } },
  sla: ComparableSla | null,
  platform: LoopbackPlatform,
  driver: ScenarioDriver,
  commandRows: { status: string; n: string; verified: string }[],
  settled: boolean,
  unverified: unknown[],
): Assertion[] {
  const { scenario, baseline } = options;
  const expected = scenario.expected;
  const out: Assertion[] = [];
  const assert = (name: string, pass: boolean, detail: string) => out.push({ name, pass, detail });

  assert('the run settled', settled, settled ? 'every consumer caught up, outboxes empty, every case decided, every command confirmed and verified' : 'timed out waiting');
  assert(
    'every ad answered by ingest',
    driver.stats.adsAccepted + driver.stats.adsDuplicate === expected.ads && driver.stats.adsRejected === 0,
    `${driver.stats.adsAccepted} accepted + ${driver.stats.adsDuplicate} duplicate (resent after a lost answer) of ${expected.ads}, ${driver.stats.adsRejected} rejected`,
  );
  assert(
    'every ad ingested once in effect',
    facts.adsIngested === expected.ads && facts.adsIngestedNotOnce === 0 && (facts.byType['ad.updated'] ?? 0) === 0,
    `${facts.adsIngested} ads with ad.ingested, ${facts.adsIngestedNotOnce} with more than one, ${facts.byType['ad.updated'] ?? 0} ad.updated`,
  );
  const bandMismatches = scenario.ads.filter((ad) => facts.bandByAd.get(ad.adId) !== ad.band).length;
  assert(
    'every ad scored once in effect, as the engine scores its text',
    facts.adsScored === expected.ads && facts.adsScoredNotOnce === 0 && bandMismatches === 0 && (facts.byType['ad.rescored'] ?? 0) === 0,
    `${facts.adsScored} ads with ad.scored, ${facts.adsScoredNotOnce} with more than one, ${bandMismatches} bands unlike the engine's, ${facts.byType['ad.rescored'] ?? 0} ad.rescored (the scenario has no network signal)`,
  );
  const noticedAds = scenario.ads.filter((ad) => ad.notice);
  const noticeMismatches = noticedAds.filter((ad) => facts.noticesByAd.get(ad.adId) !== 1).length + [...facts.noticesByAd.keys()].filter((adId) => !scenario.byAdId.get(adId)?.notice).length;
  assert('every notice recorded once', noticeMismatches === 0, `${facts.noticesByAd.size} ads with notices, ${noticeMismatches} ads with a number of notices other than the scenario's one`);
  const decisionMismatches =
    scenario.ads.filter((ad) => ad.decision && (facts.actionsByAd.get(ad.adId) ?? []).join(',') !== ad.decision).length +
    [...facts.actionsByAd.keys()].filter((adId) => !scenario.byAdId.get(adId)?.decision).length;
  assert(
    'every case opened and decided once, as the scenario says',
    decisionMismatches === 0 && facts.casesDecidedMoreThanOnce === 0 && facts.casesOpenedMoreThanOnce === 0 && driver.stats.unexpectedCases.length === 0,
    `${facts.actionsByAd.size}/${expected.cases} cases decided, ${decisionMismatches} unlike the scenario, ${facts.casesDecidedMoreThanOnce} decided twice, ${facts.casesOpenedMoreThanOnce} opened twice, ${driver.stats.unexpectedCases.length} unexpected cases`,
  );

  // Takedown commands: one per removal, each executed once by the platform and confirmed once.
  const requested = facts.requestedCommands;
  const executed = [...platform.effects.values()];
  const notRequested = executed.filter((effect) => !requested.has(effect.commandId)).length;
  const notExecuted = [...requested.keys()].filter((commandId) => !platform.effects.has(commandId)).length;
  const adsExecutedTwice = [...platform.stats.executionsByAd.values()].filter((n) => n > 1).length;
  const unconfirmed = executed.filter((effect) => effect.confirmedAt === null).length;
  assert(
    'every takedown command delivered and executed once in effect',
    requested.size === expected.removals && new Set(requested.values()).size === requested.size && notRequested === 0 && notExecuted === 0 && adsExecutedTwice === 0 &&
      platform.stats.badSignatures === 0 && facts.commandsDeliveredMoreThanOnce === 0,
    `${requested.size}/${expected.removals} commands requested for ${new Set(requested.values()).size} ads; platform executed ${executed.length} (${notExecuted} requested but never executed, ${notRequested} executed but never requested, ${adsExecutedTwice} ads removed twice), ` +
      `${platform.stats.repeatedDeliveries} repeated deliveries acknowledged without effect, ${platform.stats.badSignatures} bad signatures, ` +
      `${facts.commandsDeliveredMoreThanOnce} commands with more than one takedown.delivered`,
  );
  const commandsNotDone = commandRows.filter((row) => row.status !== 'confirmed').reduce((sum, row) => sum + Number(row.n), 0);
  assert(
    'every command confirmed once and verified',
    unconfirmed === 0 && facts.commandsNotConfirmedOnce === 0 && commandsNotDone === 0 && commandRows.every((row) => row.n === row.verified),
    `${unconfirmed} executions the platform could not confirm, ${facts.commandsNotConfirmedOnce} commands without exactly one takedown.confirmed, notice-and-takedown: ${JSON.stringify(commandRows)}${unverified.length > 0 ? `, not verified: ${JSON.stringify(unverified)}` : ''}`,
  );

  // The audit log: nothing lost, nothing twice, chains intact.
  const topicIds = new Set(topicEvents.map((event) => event.id));
  const missingFromLog = [...topicIds].filter((id) => !facts.eventIds.has(id));
  const notOnTopics = [...facts.eventIds].filter((id) => !topicIds.has(id));
  assert(
    'no audit record lost or duplicated',
    facts.records === facts.distinctEventIds && facts.brokenChains.length === 0 && missingFromLog.length === 0 && notOnTopics.length === 0,
    `${facts.records} records, ${facts.distinctEventIds} distinct event ids, ${facts.brokenChains.length} subjects with seqs other than 1..n ${JSON.stringify(facts.brokenChains.slice(0, 3))}, ` +
      `${topicIds.size} distinct events on the topics: ${missingFromLog.length} missing from the log ${JSON.stringify(missingFromLog.slice(0, 3))}, ${notOnTopics.length} logged but on no topic`,
  );
  assert('no dead letters', deadLetters === 0, `${deadLetters} messages on the .dlq topics since the run started`);
  assert(
    'verify passes',
    verification.status === 200 && verification.body.ok === true,
    `POST /admin/verify answered ${verification.status}: ok=${verification.body.ok}, ${verification.body.records} records, ${verification.body.findingCount} findings` +
      (verification.body.findingCount > 0 ? ` ${JSON.stringify((verification.body.findings ?? []).slice(0, 3))}` : ''),
  );

  // The SLA report: as the scenario implies, and as in the fault-free run.
  if (!sla) {
    assert('SLA report', false, 'GET /reports/sla did not answer 200');
  } else {
    const o = sla.overall;
    const fromScenario = slaDifferences(sla, expectedSla(scenario));
    assert(
      'SLA report as the scenario implies (every case counted once, every SLA met)',
      fromScenario.length === 0,
      `cases ${o.cases}/${expected.cases}; response ${o.response.met}/${o.response.applicable} met; removal ${o.removal.met}/${o.removal.applicable} met; breaches ${o.breachesTotal}` +
        (fromScenario.length > 0 ? `; differences (report vs scenario): ${fromScenario.slice(0, 8).join('; ')}` : ''),
    );
    if (baseline?.sla) {
      const fromBaseline = slaDifferences(sla, baseline.sla);
      assert(
        "SLA report equals the fault-free run's (timing-independent figures)",
        fromBaseline.length === 0,
        fromBaseline.length === 0 ? 'identical counts overall, by source and by category' : `differences (this run vs fault-free): ${fromBaseline.slice(0, 8).join('; ')}`,
      );
    }
  }
  if (baseline) {
    const differing = Object.keys({ ...facts.byType, ...baseline.eventTypes })
      .filter((type) => !TIMING_DEPENDENT_TYPES.has(type) && (facts.byType[type] ?? 0) !== (baseline.eventTypes[type] ?? 0))
      .map((type) => `${type}: ${facts.byType[type] ?? 0} vs ${baseline.eventTypes[type] ?? 0}`);
    assert('same facts as the fault-free run (event counts by type)', differing.length === 0, differing.length === 0 ? `all but ${[...TIMING_DEPENDENT_TYPES].join(', ')} equal` : differing.join('; '));
  }
  return out;
}

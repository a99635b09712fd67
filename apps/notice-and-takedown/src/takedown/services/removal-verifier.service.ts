import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createEvent, type AnyEvent, type EventData } from '@vigie/contracts';
import type { Outbox } from '@vigie/messaging';
import { OUTBOX, SERVICE_LOGGER, SERVICE_SETTINGS, updateReturning } from '@vigie/service-kit';
import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { NoticeAndTakedownSettings } from '../../notice-and-takedown.settings';
import { classifyProbe, isHostFailure, type ProbeObservation, type ProbeVerdict } from './probe-outcome';
import { backoffDelayMs } from './retry-policy';
import { SERVICE_SOURCE } from './takedown-commands.service';
import { TakedownMetrics } from './takedown-metrics';
import { TakedownSignals } from './takedown-signals.service';
import { guardedGet } from './guarded-get';
import { describeNetworkError } from './network-error';
import { WorkerLoop } from './worker-loop';

const schema = 'notice_and_takedown';
const claimBatch = 100;
const probesPerHost = 4;
/** How often commands set aside for want of their ad are checked against the ads received. */
const AWAITING_SWEEP_MS = 60_000;
/** A closed breaker not used for this long is retired; checked at most this often. */
const IDLE_BREAKER_MS = 15 * 60_000;
const BREAKER_RETIREMENT_CHECK_MS = 60_000;

interface DueCommand {
  id: string;
  case_id: string;
  decision_id: string | null;
  platform_id: string;
  kind: 'takedown' | 'reinstatement';
  action: 'remove' | 'disable' | 'restrict' | 'reinstate';
  url: string;
  payload: AnyEvent;
  verification_attempts: number;
  lease: Date;
}

interface Probe {
  observation: ProbeObservation;
  checkedAt: Date;
}

/** A probe whose host is failing (no answer, 5xx): counts against the host's breaker. */
class HostFailure extends Error {
  constructor(readonly probe: Probe) {
    super(probe.observation.error ?? `host answered ${probe.observation.statusCode}`);
    this.name = 'HostFailure';
  }
}

type Outcome = { kind: 'probed'; probe: Probe } | { kind: 'deferred' };

/**
 * Checks independently that a command took effect: an HTTP GET of the ad's public address
 * (redirects not followed, so a redirect away from the ad is seen as such) once the platform
 * confirmed, or once the deadline passed for a command delivered but never confirmed. A
 * verified removal closes a decided case. One circuit breaker per host, so an unreachable
 * site is not hammered and does not delay the probes of the others.
 */
@Injectable()
export class RemovalVerifier implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly breakers = new Map<string, CircuitBreaker<[string], Probe>>();
  /** When each host's breaker was last used, to retire those of hosts no longer probed. */
  private readonly breakerUsedAt = new Map<string, number>();
  private lastBreakerRetirement = 0;
  private readonly busyHosts = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly loop: WorkerLoop;
  private unsubscribe: (() => void) | undefined;
  private lastAwaitingSweep = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly signals: TakedownSignals,
    private readonly metrics: TakedownMetrics,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(SERVICE_SETTINGS) private readonly settings: NoticeAndTakedownSettings,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.loop = new WorkerLoop({
      intervalMs: settings.workerIntervalMs,
      round: () => this.round(),
      onError: (error) => this.logger.error({ err: error }, 'removal verification round failed; retrying'),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.settings.verification.enabled) return;
    this.unsubscribe = this.signals.subscribe(() => this.loop.wake());
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    this.stopping.abort();
    await this.loop.stop();
    await Promise.allSettled([...this.busyHosts.values()]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.beforeApplicationShutdown();
    for (const breaker of this.breakers.values()) breaker.shutdown();
  }

  private async round(): Promise<boolean> {
    await this.signals.ensureListening().catch((error) => this.logger.warn({ err: error }, 'cannot listen for takedown signals; polling'));
    await this.sweepAwaitingAds();
    this.retireIdleBreakers();
    const { due, full } = await this.claim();
    const byHost = new Map<string, DueCommand[]>();
    for (const command of due) {
      const host = hostOf(command.url);
      byHost.set(host, [...(byHost.get(host) ?? []), command]);
    }
    for (const [host, commands] of byHost) {
      const work = this.verifyOnHost(host, commands)
        .catch((error) => this.logger.error({ err: error, host }, 'verification failed unexpectedly; it will be retried'))
        .finally(() => {
          this.busyHosts.delete(host);
          this.loop.wake();
        });
      this.busyHosts.set(host, work);
    }
    return full;
  }

  /**
   * Shuts down the breakers of hosts not probed for a while, closed and idle: each keeps timers
   * of its own and a metrics series, and the hosts of ads' addresses come and go.
   */
  retireIdleBreakers(now = Date.now()): number {
    if (now - this.lastBreakerRetirement < BREAKER_RETIREMENT_CHECK_MS) return 0;
    this.lastBreakerRetirement = now;
    let retired = 0;
    for (const [host, breaker] of this.breakers) {
      const usedAt = this.breakerUsedAt.get(host) ?? 0;
      if (!breaker.closed || this.busyHosts.has(host) || now - usedAt < IDLE_BREAKER_MS) continue;
      breaker.shutdown();
      this.breakers.delete(host);
      this.breakerUsedAt.delete(host);
      this.metrics.probeBreakerRetired(host);
      retired++;
    }
    return retired;
  }

  /** Breakers held, for the retirement spec. */
  get breakerCount(): number {
    return this.breakers.size;
  }

  /**
   * Takes back the commands set aside whose ad has arrived since, at most once a minute. The ads
   * consumer takes them back as it stores their ad; this catches the one it cannot see: set
   * aside by a round that ran while the ad's transaction was still uncommitted.
   */
  async sweepAwaitingAds(now = Date.now()): Promise<void> {
    if (now - this.lastAwaitingSweep < AWAITING_SWEEP_MS) return;
    this.lastAwaitingSweep = now;
    await this.dataSource.query(
      `UPDATE ${schema}.takedown_commands c SET awaiting_ad = false
         FROM ${schema}.ads a WHERE c.awaiting_ad AND a.platform_id = c.platform_id AND a.ad_id = c.ad_id AND a.url IS NOT NULL`,
    );
  }

  private async claim(): Promise<{ due: DueCommand[]; full: boolean }> {
    const excluded = [
      ...this.busyHosts.keys(),
      ...[...this.breakers].filter(([, breaker]) => breaker.opened).map(([host]) => host),
    ];
    const leaseMs = (Math.ceil(claimBatch / probesPerHost) + 1) * this.settings.verification.timeoutMs + 10_000;
    // A command requested before this service had consumed its ad has no address of its own:
    // it takes the ad's, read here from what is committed when the round runs. Resolving it at
    // claim time, not when the ad or the command is written, leaves no ordering of the two
    // transactions in which the address is missed (under READ COMMITTED neither sees the
    // other's uncommitted row). A due command whose ad has not arrived is set aside
    // (awaiting_ad), out of the index this reads, until its ad arrives: the ads consumer takes
    // it back then, or sweepAwaitingAds does.
    const rows: (DueCommand & { awaiting_ad: boolean })[] = await updateReturning(this.dataSource,
      `WITH due AS (
         SELECT c.id, COALESCE(c.url, a.url) AS url
           FROM ${schema}.takedown_commands c
           LEFT JOIN ${schema}.ads a ON c.url IS NULL AND a.platform_id = c.platform_id AND a.ad_id = c.ad_id
          WHERE c.verified_at IS NULL AND c.next_verification_at IS NOT NULL AND NOT c.awaiting_ad
            AND c.next_verification_at <= clock_timestamp() AND c.status IN ('confirmed', 'delivered')
            AND (COALESCE(c.url, a.url) IS NULL OR NOT (lower(substring(COALESCE(c.url, a.url) from '^https?://([^/?#]+)')) = ANY($1::text[])))
          ORDER BY c.next_verification_at
          LIMIT $2
          FOR UPDATE OF c SKIP LOCKED)
       UPDATE ${schema}.takedown_commands c
          SET next_verification_at = CASE WHEN due.url IS NULL THEN c.next_verification_at
                                          ELSE date_trunc('milliseconds', clock_timestamp() + make_interval(secs => $3::double precision / 1000)) END,
              awaiting_ad = due.url IS NULL,
              url = due.url
         FROM due WHERE c.id = due.id
       RETURNING c.id, c.case_id, c.decision_id, c.platform_id, c.kind, c.action, c.url, c.payload,
                 c.verification_attempts, c.next_verification_at AS lease, c.awaiting_ad`,
      [excluded, claimBatch, leaseMs],
    );
    const claimable = rows.filter((row) => !row.awaiting_ad);
    if (claimable.length < rows.length) this.metrics.verification('awaiting-ad', rows.length - claimable.length);
    return { due: claimable, full: rows.length === claimBatch };
  }

  private async verifyOnHost(host: string, commands: DueCommand[]): Promise<void> {
    const breaker = this.breakerFor(host);
    const queue = [...commands];
    if (breaker.halfOpen) {
      const trial = queue.shift() as DueCommand;
      await this.record(trial, await this.probe(breaker, trial));
    }
    const worker = async () => {
      for (let command = queue.shift(); command; command = queue.shift()) {
        await this.record(command, await this.probe(breaker, command));
      }
    };
    await Promise.all(Array.from({ length: Math.min(probesPerHost, queue.length) }, worker));
  }

  private async probe(breaker: CircuitBreaker<[string], Probe>, command: DueCommand): Promise<Outcome> {
    if (this.stopping.signal.aborted || breaker.opened) return { kind: 'deferred' };
    try {
      return { kind: 'probed', probe: await breaker.fire(command.url) };
    } catch (error) {
      if (error instanceof HostFailure && !this.stopping.signal.aborted) return { kind: 'probed', probe: error.probe };
      return { kind: 'deferred' };
    }
  }

  private breakerFor(host: string): CircuitBreaker<[string], Probe> {
    this.breakerUsedAt.set(host, Date.now());
    let breaker = this.breakers.get(host);
    if (breaker) return breaker;
    breaker = new CircuitBreaker((url: string) => this.get(url), {
      name: `probe:${host}`,
      timeout: false,
      resetTimeout: this.settings.verification.breakerResetMs,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      rollingCountTimeout: 10_000,
    });
    breaker.on('open', () => {
      this.metrics.probeBreakerState(host, 'open');
      this.logger.warn({ host }, 'verification breaker opened: probes of this host wait');
    });
    breaker.on('halfOpen', () => {
      this.metrics.probeBreakerState(host, 'half-open');
      this.loop.wake();
    });
    breaker.on('close', () => {
      this.metrics.probeBreakerState(host, 'closed');
      this.loop.wake();
    });
    this.metrics.probeBreakerState(host, 'closed');
    this.breakers.set(host, breaker);
    return breaker;
  }

  /** One GET, redirects not followed; throws HostFailure when the host does not answer properly. */
  private async get(url: string): Promise<Probe> {
    let observation: ProbeObservation;
    const timeout = AbortSignal.timeout(this.settings.verification.timeoutMs);
    try {
      const answer = await guardedGet(url, {
        headers: { 'user-agent': 'vigie-removal-verifier', accept: 'text/html,*/*' },
        signal: AbortSignal.any([timeout, this.stopping.signal]),
        allowPrivateAddresses: this.settings.verification.allowPrivateAddresses,
      });
      observation = { statusCode: answer.statusCode, location: answer.location, error: null };
    } catch (error) {
      const timedOut = timeout.aborted;
      observation = {
        statusCode: null,
        location: null,
        error: timedOut
          ? `no answer within ${this.settings.verification.timeoutMs} ms`
          : `unreachable: ${describeNetworkError(error)}`,
      };
    }
    const probe = { observation, checkedAt: new Date() };
    if (isHostFailure(observation)) throw new HostFailure(probe);
    return probe;
  }

  private async record(command: DueCommand, outcome: Outcome): Promise<void> {
    const guard = `id = $1 AND verified_at IS NULL AND next_verification_at = $2`;
    if (outcome.kind === 'deferred') {
      await this.dataSource.query(`UPDATE ${schema}.takedown_commands SET next_verification_at = clock_timestamp() WHERE ${guard}`, [
        command.id,
        command.lease,
      ]);
      this.metrics.verification('deferred');
      return;
    }
    const { probe } = outcome;
    const verdict = classifyProbe(command.kind, command.url, probe.observation);
    const attempt = command.verification_attempts + 1;
    const probeFacts = {
      url: command.url,
      method: 'GET' as const,
      statusCode: probe.observation.statusCode,
      finalUrl: verdict.finalUrl,
      checkedAt: probe.checkedAt.toISOString(),
      error: probe.observation.error?.slice(0, 1000) ?? null,
    };
    const base = {
      tenant: command.platform_id,
      subject: command.payload.subject,
      correlationId: command.case_id,
      source: SERVICE_SOURCE,
    };
    await this.dataSource.transaction(async (manager) => {
      if (verdict.verified) {
        await this.recordVerified(manager, command, verdict, probeFacts, base, attempt);
        return;
      }
      const willRetry = attempt < this.settings.verification.maxAttempts;
      const delayMs = willRetry ? backoffDelayMs(attempt, this.settings.verification.backoffBaseMs) : 0;
      const updated: { failed_at: Date; next_verification_at: Date | null }[] = await updateReturning(manager,
        `UPDATE ${schema}.takedown_commands
            SET verification_attempts = $3,
                next_verification_at = CASE WHEN $4::boolean
                  THEN date_trunc('milliseconds', clock_timestamp() + make_interval(secs => $5::double precision / 1000))
                  ELSE NULL END
          WHERE ${guard} RETURNING clock_timestamp() AS failed_at, next_verification_at`,
        [command.id, command.lease, attempt, willRetry, delayMs / 1000],
      );
      if (updated.length === 0) return;
      const [{ failed_at: failedAt, next_verification_at: nextAt }] = updated;
      await this.outbox.enqueue(manager, [
        createEvent('takedown.verification-failed', {
          ...base,
          causationId: command.payload.id,
          occurredAt: failedAt,
          data: {
            commandId: command.id,
            caseId: command.case_id,
            failedAt: failedAt.toISOString(),
            attempt,
            probe: { ...probeFacts, outcome: verdict.outcome as 'still-live' | 'unreachable' | 'inconclusive' },
            willRetry,
            nextAttemptAt: nextAt ? nextAt.toISOString() : null,
          },
        }),
      ]);
      this.metrics.verification(willRetry ? 'retry' : 'failed');
    });
  }

  private async recordVerified(
    manager: EntityManager,
    command: DueCommand,
    verdict: Extract<ProbeVerdict, { verified: true }>,
    probeFacts: Omit<EventData<'takedown.verified'>['probe'], 'outcome'>,
    base: { tenant: string; subject: string; correlationId: string; source: string },
    attempt: number,
  ): Promise<void> {
    const updated: { verified_at: Date }[] = await updateReturning(manager,
      `UPDATE ${schema}.takedown_commands
          SET verified_at = clock_timestamp(), next_verification_at = NULL, verification_attempts = $3
        WHERE id = $1 AND verified_at IS NULL AND next_verification_at = $2 RETURNING verified_at`,
      [command.id, command.lease, attempt],
    );
    if (updated.length === 0) return;
    const verifiedAt = updated[0].verified_at;
    const verified = createEvent('takedown.verified', {
      ...base,
      causationId: command.payload.id,
      occurredAt: verifiedAt,
      data: {
        commandId: command.id,
        caseId: command.case_id,
        verifiedAt: verifiedAt.toISOString(),
        probe: { ...probeFacts, outcome: verdict.outcome },
      },
    });
    const events: AnyEvent[] = [verified];
    if (command.kind === 'takedown') {
      await manager.query(
        `UPDATE ${schema}.cases SET verified_at = $2, updated_at = clock_timestamp() WHERE id = $1 AND verified_at IS NULL`,
        [command.case_id, verifiedAt],
      );
    }
    // The command's effect is established: a case waiting on it (decided) is done.
    const closed: { closed_at: Date }[] = await updateReturning(manager,
      `UPDATE ${schema}.cases SET status = 'closed', closed_at = $2, updated_at = clock_timestamp()
        WHERE id = $1 AND status = 'decided' RETURNING closed_at`,
      [command.case_id, verifiedAt],
    );
    if (closed.length > 0) {
      events.push(
        createEvent('case.closed', {
          ...base,
          causationId: verified.id,
          occurredAt: verifiedAt,
          data: {
            caseId: command.case_id,
            closedAt: verifiedAt.toISOString(),
            outcome: command.kind === 'takedown' ? 'actioned' : 'reinstated',
            finalAction: command.kind === 'takedown' ? (command.action as 'remove' | 'disable' | 'restrict') : null,
            finalDecisionId: command.decision_id,
          },
        }),
      );
    }
    await this.outbox.enqueue(manager, events);
    this.metrics.verification('verified');
  }
}

/** The breaker key: host and port as the URL gives them (`new URL` lower-cases and drops default ports). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

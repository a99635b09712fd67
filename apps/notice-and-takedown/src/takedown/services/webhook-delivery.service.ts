import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createEvent, type AnyEvent } from '@vigie/contracts';
import { childSpanContext, injectTraceHeaders, parseTraceparent, type Outbox } from '@vigie/messaging';
import { OUTBOX, SERVICE_LOGGER, SERVICE_SETTINGS, updateReturning } from '@vigie/service-kit';
import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { NoticeAndTakedownSettings } from '../../notice-and-takedown.settings';
import { DeliveryTargets, type DeliveryTarget } from './delivery-targets.service';
import { classifyWebhookStatus, nextAttemptDelayMs, retryAfterMs } from './retry-policy';
import { SERVICE_SOURCE } from './takedown-commands.service';
import { TakedownMetrics } from './takedown-metrics';
import { TakedownSignals } from './takedown-signals.service';
import { WebhookHeaders, signWebhook } from './webhook-signature';
import { describeNetworkError } from './network-error';
import { WorkerLoop } from './worker-loop';

const schema = 'notice_and_takedown';
/** Commands claimed per round, and webhook calls in flight per platform. */
const claimBatch = 100;
const callsPerPlatform = 8;
/** After a registry failure the command waits this long (it is not the platform's fault: no attempt is counted). */
const registryRetryMs = 2000;

/**
 * Marks delivered up to 500 pending Kafka-delivered commands whose event the relay has published
 * (its outbox row is gone); $1: whether removals are verified. Run every round of the delivery
 * loop: `takedown_commands_kafka_pending_idx` holds only the pending ones.
 */
export function acknowledgeKafkaDeliveriesSql(outboxTable: string): string {
  return `WITH published AS (
             SELECT c.id FROM ${schema}.takedown_commands c
              WHERE c.status = 'pending' AND c.delivery = 'kafka'
                AND NOT EXISTS (SELECT 1 FROM ${outboxTable} o WHERE o.event_id = (c.payload->>'id')::uuid)
              LIMIT 500
              FOR UPDATE SKIP LOCKED)
           UPDATE ${schema}.takedown_commands c
              SET status = 'delivered', delivered_at = clock_timestamp(), attempts = 1,
                  next_verification_at = CASE WHEN $1::boolean THEN c.deadline ELSE NULL END
             FROM published WHERE c.id = published.id
           RETURNING c.id, c.case_id, c.platform_id, c.ad_id, c.payload, c.requested_at, c.delivered_at`;
}

interface ClaimedCommand {
  id: string;
  case_id: string;
  platform_id: string;
  ad_id: string;
  payload: AnyEvent;
  attempts: number;
  /** The claim: `next_attempt_at` as set by the claim; results are written only while it holds. */
  lease: Date;
  /** The ad's trace (W3C), sent on as the call's `traceparent` so the platform can continue it. */
  trace_parent: string | null;
  trace_state: string | null;
}

interface WebhookCall {
  target: { url: string; secret: string };
  command: ClaimedCommand;
  attempt: number;
}

interface WebhookAccepted {
  httpStatus: number;
  latencyMs: number;
}

/** A call that did not deliver; `permanent` ones are the platform refusing the request, not an outage. */
class WebhookCallError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number | null,
    readonly permanent: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'WebhookCallError';
  }
}

/** The call was cut short because the service is stopping: not an attempt, not the platform's fault. */
class DeliveryInterrupted extends Error {
  constructor() {
    super('delivery interrupted by shutdown');
    this.name = 'DeliveryInterrupted';
  }
}

type Result =
  | { kind: 'delivered'; httpStatus: number; latencyMs: number }
  | { kind: 'failed'; httpStatus: number | null; error: string; permanent: boolean; retryAfterMs?: number }
  | { kind: 'deferred'; retryInMs: number };

/**
 * Delivers webhook commands to platforms. Each command is claimed (a lease on
 * `next_attempt_at`, rows locked with SKIP LOCKED so several processes share the work), POSTed
 * signed, and its outcome recorded with an event. Each platform has its own circuit breaker:
 * while it is open the platform's commands stay pending, are not counted as attempts, and
 * go out after recovery, one trial first. A command keeps its id on every attempt, so the
 * platform can drop a repeat of one it already executed.
 *
 * Kafka-delivered commands need no call: they are marked delivered once the outbox relay has
 * published them (their outbox row is gone, i.e. the broker acknowledged them).
 */
@Injectable()
export class WebhookDelivery implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly breakers = new Map<string, CircuitBreaker<[WebhookCall], WebhookAccepted>>();
  private readonly busyPlatforms = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly loop: WorkerLoop;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly targets: DeliveryTargets,
    private readonly signals: TakedownSignals,
    private readonly metrics: TakedownMetrics,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(SERVICE_SETTINGS) private readonly settings: NoticeAndTakedownSettings,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.loop = new WorkerLoop({
      intervalMs: settings.workerIntervalMs,
      round: () => this.round(),
      onError: (error) => this.logger.error({ err: error }, 'takedown delivery round failed; retrying'),
    });
  }

  onApplicationBootstrap(): void {
    this.metrics.deliveryConfigured.set(this.targets.configured ? 1 : 0);
    if (!this.targets.configured) {
      this.logger.error('VIGIE_SERVICE_API_KEY is not set: takedown commands cannot be requested (the platform registry cannot be read)');
    }
    this.unsubscribe = this.signals.subscribe(() => this.loop.wake());
    this.loop.start();
  }

  /** Stops before the HTTP server and the consumer close: no delivery starts once shutdown has begun. */
  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    this.stopping.abort();
    await this.loop.stop();
    await Promise.allSettled([...this.busyPlatforms.values()]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.beforeApplicationShutdown();
    for (const breaker of this.breakers.values()) breaker.shutdown();
  }

  private async round(): Promise<boolean> {
    await this.signals.ensureListening().catch((error) => this.logger.warn({ err: error }, 'cannot listen for takedown signals; polling'));
    await this.acknowledgeKafkaDeliveries();
    if (this.stopping.signal.aborted) return false;
    const claimed = await this.claim();
    const byPlatform = new Map<string, ClaimedCommand[]>();
    for (const command of claimed) {
      const list = byPlatform.get(command.platform_id) ?? [];
      list.push(command);
      byPlatform.set(command.platform_id, list);
    }
    for (const [platformId, commands] of byPlatform) {
      // Each platform proceeds on its own, so a slow or hanging one never delays the others.
      const work = this.deliverToPlatform(platformId, commands)
        .catch((error) => this.logger.error({ err: error, platformId }, 'webhook delivery failed unexpectedly; the commands will be retried'))
        .finally(() => {
          this.busyPlatforms.delete(platformId);
          this.loop.wake();
        });
      this.busyPlatforms.set(platformId, work);
    }
    return claimed.length === claimBatch;
  }

  /** Kafka commands whose event the relay has published (its outbox row is gone) are delivered. */
  private async acknowledgeKafkaDeliveries(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const rows: { id: string; case_id: string; platform_id: string; ad_id: string; payload: AnyEvent; requested_at: Date; delivered_at: Date }[] =
        await updateReturning(manager, acknowledgeKafkaDeliveriesSql(this.outbox.tableName), [this.settings.verification.enabled]);
      if (rows.length === 0) return;
      const events = rows.map((row) =>
        createEvent('takedown.delivered', {
          tenant: row.platform_id,
          subject: row.payload.subject,
          correlationId: row.case_id,
          causationId: row.payload.id,
          source: SERVICE_SOURCE,
          occurredAt: row.delivered_at,
          data: {
            commandId: row.id,
            caseId: row.case_id,
            attempt: 1,
            deliveredAt: row.delivered_at.toISOString(),
            channel: 'kafka',
            httpStatus: null,
            // Seen by the next poll after the broker's acknowledgement: an upper bound.
            latencyMs: Math.max(0, row.delivered_at.getTime() - row.requested_at.getTime()),
          },
        }),
      );
      await this.outbox.enqueue(manager, events);
      this.metrics.delivery('kafka', 'delivered', rows.length);
    });
  }

  /**
   * Claims due webhook commands of platforms that are neither busy here nor behind an open
   * breaker. The lease covers the time this process may take to work through them; a process
   * that dies mid-way leaves them to be claimed again when it expires.
   */
  private async claim(): Promise<ClaimedCommand[]> {
    const excluded = [
      ...this.busyPlatforms.keys(),
      ...[...this.breakers].filter(([, breaker]) => breaker.opened).map(([platformId]) => platformId),
    ];
    const leaseMs = (Math.ceil(claimBatch / callsPerPlatform) + 1) * this.settings.webhook.timeoutMs + 10_000;
    return updateReturning(this.dataSource,
      `WITH due AS (
         SELECT id FROM ${schema}.takedown_commands
          WHERE status = 'pending' AND delivery = 'webhook' AND next_attempt_at <= clock_timestamp()
            AND NOT (platform_id = ANY($1::text[]))
          ORDER BY next_attempt_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED)
       UPDATE ${schema}.takedown_commands c
          SET next_attempt_at = date_trunc('milliseconds', clock_timestamp() + make_interval(secs => $3::double precision / 1000))
         FROM due WHERE c.id = due.id
       RETURNING c.id, c.case_id, c.platform_id, c.ad_id, c.payload, c.attempts, c.next_attempt_at AS lease,
                 (SELECT a.trace_parent FROM ${schema}.ads a WHERE a.platform_id = c.platform_id AND a.ad_id = c.ad_id) AS trace_parent,
                 (SELECT a.trace_state FROM ${schema}.ads a WHERE a.platform_id = c.platform_id AND a.ad_id = c.ad_id) AS trace_state`,
      [excluded, claimBatch, leaseMs],
    );
  }

  private async deliverToPlatform(platformId: string, commands: ClaimedCommand[]): Promise<void> {
    let target: DeliveryTarget;
    try {
      target = await this.targets.get(platformId);
    } catch (error) {
      this.logger.warn({ err: error, platformId }, 'cannot read the delivery target; commands wait');
      for (const command of commands) await this.record(command, { kind: 'deferred', retryInMs: registryRetryMs });
      return;
    }
    if (!target.webhookUrl || !target.webhookSecret) {
      const error = target.integrationMode === 'kafka'
        ? 'the platform now takes commands on Kafka; this webhook command cannot be delivered'
        : 'the platform has no webhook URL (and signing secret) registered';
      for (const command of commands) await this.record(command, { kind: 'failed', httpStatus: null, error, permanent: false });
      return;
    }
    const webhook = { url: target.webhookUrl, secret: target.webhookSecret };
    const breaker = this.breakerFor(platformId);
    const queue = [...commands];
    // Half-open: one trial call decides whether the rest may go.
    if (breaker.halfOpen) {
      const trial = queue.shift() as ClaimedCommand;
      await this.record(trial, await this.attempt(breaker, webhook, trial));
    }
    const worker = async () => {
      for (let command = queue.shift(); command; command = queue.shift()) {
        await this.record(command, await this.attempt(breaker, webhook, command));
      }
    };
    await Promise.all(Array.from({ length: Math.min(callsPerPlatform, queue.length) }, worker));
  }

  private async attempt(
    breaker: CircuitBreaker<[WebhookCall], WebhookAccepted>,
    target: { url: string; secret: string },
    command: ClaimedCommand,
  ): Promise<Result> {
    if (this.stopping.signal.aborted || breaker.opened) return { kind: 'deferred', retryInMs: 0 };
    try {
      const accepted = await breaker.fire({ target, command, attempt: command.attempts + 1 });
      return { kind: 'delivered', ...accepted };
    } catch (error) {
      if (error instanceof WebhookCallError) {
        return { kind: 'failed', httpStatus: error.httpStatus, error: error.message, permanent: error.permanent, retryAfterMs: error.retryAfterMs };
      }
      // EOPENBREAKER (opened meanwhile) or shutdown: the command was not sent.
      return { kind: 'deferred', retryInMs: 0 };
    }
  }

  private breakerFor(platformId: string): CircuitBreaker<[WebhookCall], WebhookAccepted> {
    let breaker = this.breakers.get(platformId);
    if (breaker) return breaker;
    breaker = new CircuitBreaker((call: WebhookCall) => this.post(call), {
      name: `webhook:${platformId}`,
      // Each call has its own abortable timeout; a breaker timeout would leave the request running.
      timeout: false,
      resetTimeout: this.settings.webhook.breakerResetMs,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      rollingCountTimeout: 10_000,
      // A platform refusing one request (4xx) is not down; a call cut by shutdown says nothing.
      errorFilter: (error: unknown) => (error instanceof WebhookCallError && error.permanent) || error instanceof DeliveryInterrupted,
    });
    breaker.on('open', () => {
      this.metrics.webhookBreakerState(platformId, 'open');
      this.logger.warn({ platformId }, "platform's webhook breaker opened: its commands wait until it recovers");
    });
    breaker.on('halfOpen', () => {
      this.metrics.webhookBreakerState(platformId, 'half-open');
      this.loop.wake();
    });
    breaker.on('close', () => {
      this.metrics.webhookBreakerState(platformId, 'closed');
      this.logger.info({ platformId }, "platform's webhook breaker closed: delivering its waiting commands");
      this.loop.wake();
    });
    this.metrics.webhookBreakerState(platformId, 'closed');
    this.breakers.set(platformId, breaker);
    return breaker;
  }

  /** One signed POST of the command; resolves on 2xx, throws a WebhookCallError otherwise. */
  private async post({ target, command, attempt }: WebhookCall): Promise<WebhookAccepted> {
    // The same command (same id) on every attempt; only `attempt` says which try this is.
    const body = JSON.stringify({ ...command.payload, data: { ...command.payload.data, attempt } });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const timeoutMs = this.settings.webhook.timeoutMs;
    const started = performance.now();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'vigie-notice-and-takedown',
      [WebhookHeaders.signature]: signWebhook(target.secret, timestamp, body),
      [WebhookHeaders.timestamp]: timestamp,
      [WebhookHeaders.commandId]: command.id,
      [WebhookHeaders.attempt]: String(attempt),
      'idempotency-key': command.id,
    };
    // The ad's trace goes on at the platform: a confirmation sent back with it stays in the trace.
    const adTrace = parseTraceparent(command.trace_parent, command.trace_state ?? undefined);
    if (adTrace) injectTraceHeaders(headers, childSpanContext(adTrace));
    let response: Response;
    try {
      response = await fetch(target.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.stopping.signal]),
      });
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      if (this.stopping.signal.aborted) throw new DeliveryInterrupted();
      this.metrics.webhookCall('error', seconds);
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new WebhookCallError(
        timedOut ? `no answer within ${timeoutMs} ms` : `webhook unreachable: ${describeNetworkError(error)}`,
        null,
        false,
      );
    }
    await response.body?.cancel().catch(() => undefined);
    const latencyMs = Math.round(performance.now() - started);
    const answer = classifyWebhookStatus(response.status);
    this.metrics.webhookCall(answer === 'delivered' ? 'ok' : 'error', latencyMs / 1000);
    if (answer === 'delivered') return { httpStatus: response.status, latencyMs };
    const statusLine = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    if (answer === 'permanent') {
      throw new WebhookCallError(`webhook answered ${statusLine}: the platform refuses the command`, response.status, true);
    }
    throw new WebhookCallError(`webhook answered ${statusLine}`, response.status, false, retryAfterMs(response.headers.get('retry-after')));
  }

  /** Writes an attempt's outcome and its event, if the claim still holds (else another worker owns it, or the command was confirmed meanwhile). */
  private async record(command: ClaimedCommand, result: Result): Promise<void> {
    const guard = `id = $1 AND status = 'pending' AND next_attempt_at = $2`;
    if (result.kind === 'deferred') {
      await this.dataSource.query(
        `UPDATE ${schema}.takedown_commands SET next_attempt_at = clock_timestamp() + make_interval(secs => $3::double precision / 1000) WHERE ${guard}`,
        [command.id, command.lease, result.retryInMs / 1000],
      );
      this.metrics.delivery('webhook', 'deferred');
      return;
    }
    const attempt = command.attempts + 1;
    const base = {
      tenant: command.platform_id,
      subject: command.payload.subject,
      correlationId: command.case_id,
      causationId: command.payload.id,
      source: SERVICE_SOURCE,
    };
    await this.dataSource.transaction(async (manager) => {
      if (result.kind === 'delivered') {
        // The platform may confirm the command before its delivery is recorded here (it acts on
        // the call at once): the delivery is still a fact of the command's history, recorded once.
        const updated: { delivered_at: Date }[] = await updateReturning(manager,
          `UPDATE ${schema}.takedown_commands
              SET status = CASE WHEN status = 'pending' THEN 'delivered' ELSE status END,
                  delivered_at = clock_timestamp(), attempts = $3, last_error = NULL,
                  next_verification_at = CASE WHEN status = 'pending' AND $4::boolean THEN deadline ELSE next_verification_at END
            WHERE id = $1 AND next_attempt_at = $2 AND (status = 'pending' OR (status = 'confirmed' AND delivered_at IS NULL))
            RETURNING delivered_at`,
          [command.id, command.lease, attempt, this.settings.verification.enabled],
        );
        if (updated.length === 0) return;
        const deliveredAt = updated[0].delivered_at;
        await this.outbox.enqueue(manager, [
          createEvent('takedown.delivered', {
            ...base,
            occurredAt: deliveredAt,
            data: {
              commandId: command.id,
              caseId: command.case_id,
              attempt,
              deliveredAt: deliveredAt.toISOString(),
              channel: 'webhook',
              httpStatus: result.httpStatus,
              latencyMs: result.latencyMs,
            },
          }),
        ]);
        this.metrics.delivery('webhook', 'delivered');
        return;
      }
      const willRetry = !result.permanent && attempt < this.settings.webhook.maxAttempts;
      const delayMs = willRetry ? nextAttemptDelayMs(attempt, this.settings.webhook.backoffBaseMs, result.retryAfterMs) : 0;
      const updated: { failed_at: Date; next_attempt_at: Date }[] = await updateReturning(manager,
        `UPDATE ${schema}.takedown_commands
            SET attempts = $3, last_error = $4,
                status = CASE WHEN $5::boolean THEN 'pending' ELSE 'failed' END,
                next_attempt_at = CASE WHEN $5::boolean
                  THEN date_trunc('milliseconds', clock_timestamp() + make_interval(secs => $6::double precision / 1000))
                  ELSE next_attempt_at END
          WHERE ${guard} RETURNING clock_timestamp() AS failed_at, next_attempt_at`,
        [command.id, command.lease, attempt, result.error.slice(0, 1000), willRetry, delayMs / 1000],
      );
      if (updated.length === 0) return;
      const failedAt = updated[0].failed_at;
      await this.outbox.enqueue(manager, [
        createEvent('takedown.delivery-failed', {
          ...base,
          occurredAt: failedAt,
          data: {
            commandId: command.id,
            caseId: command.case_id,
            attempt,
            failedAt: failedAt.toISOString(),
            channel: 'webhook',
            httpStatus: result.httpStatus,
            error: result.error.slice(0, 1000),
            willRetry,
            nextAttemptAt: willRetry ? updated[0].next_attempt_at.toISOString() : null,
          },
        }),
      ]);
      this.metrics.delivery('webhook', willRetry ? 'retry' : 'failed');
      if (!willRetry) {
        this.logger.error({ commandId: command.id, platformId: command.platform_id, error: result.error, attempt }, 'takedown command could not be delivered: given up');
      }
    });
  }
}

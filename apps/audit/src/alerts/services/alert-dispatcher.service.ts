import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createEvent, type AnyEvent } from '@vigie/contracts';
import type { Outbox } from '@vigie/messaging';
import { OUTBOX, SERVICE_LOGGER } from '@vigie/service-kit';
import { evaluateSla, toEpochMs } from '@vigie/sla';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { CaseDoc } from '../../projections/services/case-projection';
import { ProjectionSettingsProvider } from '../../projections/services/projection-settings';
import { pausesOf, type AlertKind } from './alert-plan';
import { SlaMetrics, type SlaAlert } from './sla-metrics';

interface DueRow {
  case_id: string;
  kind: AlertKind;
  threshold: string;
  case_row: Record<string, unknown> & { facts: CaseDoc };
}

type Outcome = { kind: 'send'; event: AnyEvent } | { kind: 'superseded' } | { kind: 'later' };

/**
 * Sends the SLA alerts that fell due. Each alert is enqueued in the outbox in the same
 * transaction that marks its schedule row sent, so across crashes and restarts an alert is
 * neither lost (the row stays pending until that commit) nor doubled (a sent row is never
 * picked again; the outbox relay and consumers' inboxes dedupe the wire).
 */
@Injectable()
export class AlertDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  /** Set at shutdown: a backlog of due alerts (after a rebuild or an import) stops between batches. */
  private shuttingDown = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: ProjectionSettingsProvider,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly metrics: SlaMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.value.alertsEnabled) return;
    this.stopped = false;
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.shuttingDown = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.running = this.dispatchDue()
        .catch((error: Error & { code?: string }) => {
          if (error.code !== '42P01') this.logger.error({ err: error }, 'sending SLA alerts failed; retrying');
        })
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule();
        });
    }, this.settings.value.alertsPollMs);
  }

  /** Sends every alert due at `nowMs`, in batches; returns how many were sent. */
  async dispatchDue(nowMs = Date.now()): Promise<number> {
    let sent = 0;
    for (;;) {
      const batch = await this.dataSource.transaction((manager) => this.dispatchBatch(manager, nowMs));
      this.metrics.alertsSent(batch.alerts);
      sent += batch.alerts.length;
      // Each batch commits on its own; what is left stays due for the next start.
      if (batch.picked < 200 || this.shuttingDown) return sent;
    }
  }

  private async dispatchBatch(manager: EntityManager, nowMs: number): Promise<{ picked: number; alerts: { sla: AlertKind; alert: SlaAlert }[] }> {
    const rows: DueRow[] = await manager.query(
      `SELECT s.case_id, s.kind, s.threshold, to_jsonb(c) AS case_row
         FROM audit.sla_alert_schedule s JOIN audit.case_facts c ON c.case_id = s.case_id
        WHERE s.status = 'pending' AND s.due_at <= $1
        ORDER BY s.due_at, s.case_id, s.kind, s.threshold
        LIMIT 200
        FOR UPDATE OF s SKIP LOCKED`,
      [new Date(nowMs).toISOString()],
    );
    const events: AnyEvent[] = [];
    const alerts: { sla: AlertKind; alert: SlaAlert }[] = [];
    for (const row of rows) {
      const outcome = this.alertFor(row, nowMs);
      const key = [row.case_id, row.kind, row.threshold];
      if (outcome.kind === 'send') {
        events.push(outcome.event);
        alerts.push({ sla: row.kind, alert: row.threshold === 'met' ? 'met' : row.threshold === 'breached' ? 'breached' : 'at-risk' });
        await manager.query(
          `UPDATE audit.sla_alert_schedule SET status = 'sent', sent_at = $4, event_id = $5 WHERE case_id = $1 AND kind = $2 AND threshold = $3`,
          [...key, new Date(nowMs).toISOString(), outcome.event.id],
        );
      } else if (outcome.kind === 'superseded') {
        await manager.query(`UPDATE audit.sla_alert_schedule SET status = 'superseded' WHERE case_id = $1 AND kind = $2 AND threshold = $3`, key);
      } else {
        await manager.query(
          `UPDATE audit.sla_alert_schedule SET due_at = $4 WHERE case_id = $1 AND kind = $2 AND threshold = $3`,
          [...key, new Date(nowMs + 60_000).toISOString()],
        );
      }
    }
    if (events.length > 0) await this.outbox.enqueue(manager, events);
    return { picked: rows.length, alerts };
  }

  private alertFor(row: DueRow, nowMs: number): Outcome {
    const c = row.case_row;
    const kind = row.kind;
    const column = (name: string) => c[`${kind}_${name}`] as string | number | null;
    // to_jsonb writes timestamps as `…+00:00`; events carry `…Z` with milliseconds.
    const isoOf = (value: string | number | null) => (value === null ? null : new Date(value).toISOString());
    const startedAt = isoOf(column('started_at'));
    const targetMs = Number(column('target_ms'));
    if (!c[`${kind}_applicable`] || startedAt === null || !(targetMs > 0)) return { kind: 'superseded' };
    const endedAt = isoOf(column('ended_at'));
    const evaluation = evaluateSla({
      kind,
      startMs: toEpochMs(startedAt),
      endMs: endedAt === null ? null : toEpochMs(endedAt),
      targetMs,
      pauses: pausesOf(c.facts, kind),
      nowMs,
      warningShares: [],
    });
    const deadline = new Date(evaluation.deadlineMs as number).toISOString();
    const common = {
      caseId: row.case_id,
      sla: kind,
      policyVersion: String(c.policy_applied),
      startedAt,
      deadline,
      windowMs: targetMs,
      elapsedMs: Math.round(evaluation.elapsedMs),
      pausedMs: Math.round(evaluation.pausedMs),
    };
    const envelope = {
      tenant: String(c.tenant),
      subject: String(c.subject),
      correlationId: row.case_id,
      source: 'audit',
      occurredAt: new Date(nowMs).toISOString(),
    };
    const breached = evaluation.state === 'breached' || evaluation.state === 'open-breached';
    if (row.threshold === 'met') {
      if (evaluation.state !== 'met') return { kind: 'superseded' };
      return {
        kind: 'send',
        event: createEvent('sla.met', { ...envelope, data: { ...common, metAt: endedAt as string, shareOfWindow: Math.min(1, evaluation.shareOfWindow) } }),
      };
    }
    if (row.threshold === 'breached') {
      if (!breached) return evaluation.ended ? { kind: 'superseded' } : { kind: 'later' };
      return {
        kind: 'send',
        event: createEvent('sla.breached', {
          ...envelope,
          data: {
            ...common,
            breachedAt: deadline,
            shareOfWindow: Math.max(1, evaluation.shareOfWindow),
            detectedLate: nowMs - (evaluation.deadlineMs as number) > this.settings.value.alertLateAfterMs,
          },
        }),
      };
    }
    const threshold = Number(row.threshold);
    // Once ended or breached, a warning says nothing new: the met/breached alert covers it.
    if (evaluation.ended || breached) return { kind: 'superseded' };
    if (evaluation.shareOfWindow < threshold) return { kind: 'later' };
    return {
      kind: 'send',
      event: createEvent('sla.at-risk', {
        ...envelope,
        data: { ...common, threshold, shareOfWindow: Math.min(1, evaluation.shareOfWindow), evaluatedAt: envelope.occurredAt },
      }),
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@vigie/service-kit';
import { Counter, Gauge, type Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { liveStatePredicatesSql } from '../../projections/services/case-projection';
import { ALERT_KINDS, type AlertKind } from './alert-plan';

export type SlaAlert = 'at-risk' | 'breached' | 'met';

export interface SlaCaseCount {
  platform: string;
  sla: AlertKind;
  state: string;
  cases: number;
}

/** A scrape reads the cases' SLA states at most this often (a count over `case_facts`). */
const CASE_COUNT_TTL_MS = 10_000;

/**
 * The audit's SLA figures for /metrics: cases per platform, SLA and live state (`open`,
 * `at-risk`, `open-breached`, `paused`, `met`, `breached`), evaluated when scraped exactly as
 * `GET /reports/sla` evaluates them, and the SLA alerts sent.
 */
@Injectable()
export class SlaMetrics {
  private readonly cases: Gauge<'platform' | 'sla' | 'state'>;
  private readonly alerts: Counter<'sla' | 'alert'>;
  private counted: { at: number; counts: Promise<SlaCaseCount[]> } | undefined;

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly dataSource: DataSource,
  ) {
    const registers = [registry];
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;
    this.cases = new Gauge({
      name: 'vigie_audit_sla_cases',
      help: 'Cases by platform, SLA (response, removal) and state (open, at-risk, open-breached, paused, met, breached), evaluated when scraped',
      labelNames: ['platform', 'sla', 'state'],
      registers,
      async collect() {
        const counts = await metrics.caseCounts();
        this.reset();
        for (const count of counts) this.set({ platform: count.platform, sla: count.sla, state: count.state }, count.cases);
      },
    });
    this.alerts = new Counter({
      name: 'vigie_audit_sla_alerts_total',
      help: 'SLA alerts sent on sla.alerts.v1, by SLA and alert (at-risk, breached, met)',
      labelNames: ['sla', 'alert'],
      registers,
    });
  }

  alertsSent(sent: readonly { sla: AlertKind; alert: SlaAlert }[]): void {
    for (const { sla, alert } of sent) this.alerts.inc({ sla, alert });
  }

  /** Cases per platform, SLA and live state now; cached briefly so frequent scrapes cost one count. */
  caseCounts(nowMs = Date.now()): Promise<SlaCaseCount[]> {
    if (!this.counted || nowMs - this.counted.at >= CASE_COUNT_TTL_MS) {
      const counts = this.countCases().catch(() => [] as SlaCaseCount[]);
      this.counted = { at: nowMs, counts };
    }
    return this.counted.counts;
  }

  /**
   * One pass over `case_facts` for both SLAs: each state counted with its predicate over the
   * stored columns (as the report counts them), instead of evaluating the live-state CASE per
   * row and SLA, and `now()` read once for the statement.
   */
  private async countCases(): Promise<SlaCaseCount[]> {
    const counted = ALERT_KINDS.flatMap((kind) =>
      Object.entries(liveStatePredicatesSql(kind)).map(([state, holds]) => ({ kind, state, column: `${kind}:${state}`, holds })),
    );
    const rows: Record<string, string | number>[] = await this.dataSource.query(
      `SELECT tenant AS platform, ${counted.map(({ column, holds }) => `count(*) FILTER (WHERE ${holds})::int AS "${column}"`).join(', ')}
         FROM audit.case_facts GROUP BY tenant ORDER BY tenant`,
    );
    const counts: SlaCaseCount[] = [];
    for (const row of rows) {
      for (const { kind, state, column } of counted) {
        const cases = Number(row[column] ?? 0);
        if (cases > 0) counts.push({ platform: String(row.platform), sla: kind, state, cases });
      }
    }
    return counts;
  }
}

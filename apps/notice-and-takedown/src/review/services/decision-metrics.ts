import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@vigie/service-kit';
import { Histogram, type Registry } from 'prom-client';
import type { CaseRow } from '../../cases/services/case-row';

/** From a minute to three days: moderation SLAs are 1 h (minors) and 24 h (HCE). */
const TIME_TO_DECISION_BUCKETS = [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 64_800, 86_400, 129_600, 172_800, 259_200];

/**
 * Time to decision for /metrics: from the case's clock start (knowledge, else the first notice's
 * receipt, the first automated flag, the opening) to its first decision, by origin and by who
 * decided. Observed when the decision is made; a decision whose transaction is rolled back and
 * retried may be counted twice (the audit's SLA report is the figure of record).
 */
@Injectable()
export class DecisionMetrics {
  private readonly timeToDecision: Histogram<'origin' | 'decided_by'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.timeToDecision = new Histogram({
      name: 'vigie_nat_time_to_decision_seconds',
      help: "Seconds from a case's clock start (knowledge, else notice receipt, first flag, opening) to its first decision",
      labelNames: ['origin', 'decided_by'],
      buckets: TIME_TO_DECISION_BUCKETS,
      registers: [registry],
    });
  }

  firstDecision(row: Pick<CaseRow, 'origin' | 'knowledge_at' | 'notice_received_at' | 'first_flag_at' | 'opened_at'>, decidedBy: 'moderator' | 'system', decidedAt: Date): void {
    const start = row.knowledge_at ?? row.notice_received_at ?? row.first_flag_at ?? row.opened_at;
    this.timeToDecision.observe({ origin: row.origin, decided_by: decidedBy }, Math.max(0, (decidedAt.getTime() - new Date(start).getTime()) / 1000));
  }
}

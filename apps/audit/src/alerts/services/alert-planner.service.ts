import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DerivedCase } from '../../projections/services/case-projection';
import { planAlerts } from './alert-plan';

/**
 * Keeps `audit.sla_alert_schedule` in step with the projections, inside the projector's
 * transaction: pending alerts of the re-derived cases are replaced by the new plan; rows
 * already sent (or superseded) stay, and the key (case, kind, threshold) keeps them unique.
 */
@Injectable()
export class AlertPlanner {
  async plan(manager: EntityManager, derived: readonly DerivedCase[]): Promise<void> {
    if (derived.length === 0) return;
    const caseIds = derived.map((d) => String(d.row.case_id));
    await manager.query(`DELETE FROM audit.sla_alert_schedule WHERE case_id = ANY($1) AND status = 'pending'`, [caseIds]);
    const planned = derived.flatMap(planAlerts);
    if (planned.length === 0) return;
    await manager.query(
      `INSERT INTO audit.sla_alert_schedule (case_id, kind, threshold, due_at)
       SELECT p->>'caseId', p->>'kind', p->>'threshold', (p->>'dueAt')::timestamptz FROM jsonb_array_elements($1::jsonb) p
       ON CONFLICT (case_id, kind, threshold) DO NOTHING`,
      [JSON.stringify(planned)],
    );
  }
}

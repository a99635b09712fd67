import { effectiveDeadline, toEpochMs, type ClockPause } from '@vigie/sla';
import type { CaseDoc, DerivedCase, SlaColumns } from '../../projections/services/case-projection';

export const ALERT_KINDS = ['response', 'removal'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** `0.5`, `0.75`, … (a warning share), `breached` or `met`. */
export interface PlannedAlert {
  readonly caseId: string;
  readonly kind: AlertKind;
  readonly threshold: string;
  readonly dueAt: string;
}

export function pausesOf(doc: CaseDoc, kind: AlertKind): ClockPause[] {
  return doc.pauses
    .filter((pause) => pause.slas.includes(kind))
    .map((pause) => ({ startMs: toEpochMs(pause.startAt), endMs: pause.endAt === null ? null : toEpochMs(pause.endAt) }));
}

/**
 * The alerts a case still calls for, each with the business time it falls due. Pure: the
 * schedule is re-planned from the facts after every change, so a late fact moves, adds or
 * cancels pending alerts (alerts already sent are never touched).
 *
 * - ended: `met`, or `breached` (due at once: the deadline has passed);
 * - open and running: each warning share and the breach, at the time the counted clock reaches them;
 * - open and paused: only a breach that happened before the pause; warnings wait for the resume.
 */
export function planAlerts(derived: DerivedCase): PlannedAlert[] {
  const doc = derived.row.facts as CaseDoc;
  const planned: PlannedAlert[] = [];
  for (const kind of ALERT_KINDS) {
    const columns: SlaColumns = derived.sla[kind];
    if (!columns.applicable || columns.started_at === null || columns.target_ms === null || columns.deadline === null) continue;
    const alert = (threshold: string, dueMs: number) => planned.push({ caseId: doc.caseId, kind, threshold, dueAt: new Date(dueMs).toISOString() });
    const deadlineMs = toEpochMs(columns.deadline);
    if (columns.final_state === 'met') {
      alert('met', toEpochMs(columns.ended_at as string));
      continue;
    }
    if (columns.final_state === 'breached') {
      alert('breached', deadlineMs + 1);
      continue;
    }
    if (columns.paused_since !== null) {
      if (deadlineMs < toEpochMs(columns.paused_since)) alert('breached', deadlineMs + 1);
      continue;
    }
    const startMs = toEpochMs(columns.started_at);
    const closed = pausesOf(doc, kind).filter((pause) => pause.endMs !== null);
    for (const share of derived.policy.warningShares) alert(String(share), effectiveDeadline(startMs, columns.target_ms * share, closed, startMs));
    // Breached is "counted time above the target": the first millisecond after the deadline.
    alert('breached', deadlineMs + 1);
  }
  return planned;
}

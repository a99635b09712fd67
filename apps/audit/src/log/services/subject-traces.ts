import type { SpanContext } from '@opentelemetry/api';
import { newSpanId, type SubjectTraceLookup } from '@vigie/messaging';

const SAMPLED = 1;

/**
 * The trace of each subject as the log last saw it, so the SLA alerts the audit publishes
 * about an ad belong to the ad's trace. The log keeps trace ids only: the alert is a new span
 * of that trace whose parent span is not known here.
 */
export const loggedSubjectTraces: SubjectTraceLookup = async (manager, events) => {
  const found = new Map<string, SpanContext>();
  const subjects = [...new Set(events.map((event) => event.subject))];
  if (subjects.length === 0) return found;
  const rows: { subject: string; trace_id: string }[] = await manager.query(
    `SELECT s.subject, l.trace_id
       FROM unnest($1::text[]) AS s(subject)
       CROSS JOIN LATERAL (
         SELECT trace_id FROM audit.log WHERE subject = s.subject COLLATE "C" AND trace_id IS NOT NULL ORDER BY seq DESC LIMIT 1
       ) l`,
    [subjects],
  );
  for (const row of rows) found.set(row.subject, { traceId: row.trace_id, spanId: newSpanId(), traceFlags: SAMPLED, isRemote: true });
  return found;
};

import type { SpanContext } from '@opentelemetry/api';
import type { AnyEvent } from '@vigie/contracts';
import { parseTraceparent, type SubjectTraceLookup } from '@vigie/messaging';

/**
 * The trace of each ad this service learnt from `ads.ingested.v1` (`ads.trace_parent`): events
 * about the ad published from HTTP calls and workers continue it, so one ad's path — ingested,
 * scored, case, decision, takedown — is one trace whoever triggered each step.
 */
export const adTraces: SubjectTraceLookup = async (manager, events: readonly AnyEvent[]) => {
  const platformIds: string[] = [];
  const adIds: string[] = [];
  const seen = new Set<string>();
  for (const event of events) {
    if (seen.has(event.subject) || !event.subject.startsWith(`${event.tenant}:`)) continue;
    seen.add(event.subject);
    platformIds.push(event.tenant);
    adIds.push(event.subject.slice(event.tenant.length + 1));
  }
  if (platformIds.length === 0) return new Map();
  const rows: AdTraceRow[] = await manager.query(
    `SELECT a.platform_id, a.ad_id, a.trace_parent, a.trace_state
       FROM notice_and_takedown.ads a
       JOIN unnest($1::text[], $2::text[]) AS s(platform_id, ad_id) ON a.platform_id = s.platform_id AND a.ad_id = s.ad_id
      WHERE a.trace_parent IS NOT NULL`,
    [platformIds, adIds],
  );
  return adTracesOf(rows);
};

/** An ad's row in `ads` as far as its trace goes. */
export interface AdTraceRow {
  platform_id: string;
  ad_id: string;
  trace_parent: string;
  trace_state: string | null;
}

/** Subject → span context, from rows of `ads` a writer read (see `EnqueueOptions.subjectTraces`). */
export function adTracesOf(rows: readonly AdTraceRow[]): Map<string, SpanContext> {
  const found = new Map<string, SpanContext>();
  for (const row of rows) {
    const spanContext = parseTraceparent(row.trace_parent, row.trace_state ?? undefined);
    if (spanContext) found.set(`${row.platform_id}:${row.ad_id}`, spanContext);
  }
  return found;
}

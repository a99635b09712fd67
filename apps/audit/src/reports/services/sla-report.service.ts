import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { liveStatePredicatesSql, liveStateSql } from '../../projections/services/case-projection';
import type { Period } from './report-scope';

export interface SlaReportQuery extends Period {
  readonly platformId: string | null;
  readonly category: string | null;
  readonly source: string | null;
  /** How many breaches to list (the counts always cover every case). */
  readonly breachLimit: number;
}

export interface DurationStats {
  readonly count: number;
  readonly medianMs: number | null;
  readonly p90Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

export interface SlaKindFigures {
  /** Cases the SLA applies to (response: cases with a notice; removal: cases with knowledge and no decision not to act). */
  readonly applicable: number;
  readonly met: number;
  readonly breached: number;
  readonly open: number;
  readonly atRisk: number;
  readonly openBreached: number;
  readonly paused: number;
  /** Counted time (pauses excluded) from the window's start to its end fact, over ended windows. */
  readonly timeTo: DurationStats;
}

export interface BreachEntry {
  readonly caseId: string;
  readonly platformId: string;
  readonly platformAdId: string;
  readonly category: string;
  readonly source: string;
  readonly sla: 'response' | 'removal';
  readonly state: 'breached' | 'open-breached';
  readonly startedAt: string;
  readonly deadline: string;
  readonly endedAt: string | null;
  readonly elapsedMs: number | null;
  readonly timeline: string;
}

export interface SlaReport {
  readonly period: Period;
  readonly filters: { platformId: string | null; category: string | null; source: string | null };
  readonly generatedAt: string;
  readonly cases: number;
  readonly casesWithAnomalies: number;
  readonly response: SlaKindFigures;
  readonly removal: SlaKindFigures;
  readonly breaches: BreachEntry[];
  readonly breachesTotal: number;
}

const KINDS = ['response', 'removal'] as const;

/** Memory a report query may sort in: enough for the elapsed times of a few million windows. */
const REPORT_SORT_MEMORY = '64MB';

/**
 * The SLA compliance report: figures aggregated in SQL over the covering index of `case_facts`
 * on the period, and the breach page read from the breach indexes (never the case rows, but for
 * the breaches listed), so it stays fast on logs of millions of events. Live states (open,
 * at-risk, open-breached, paused) are evaluated at query time from the stored deadlines.
 */
@Injectable()
export class SlaReportService {
  constructor(private readonly dataSource: DataSource) {}

  /** One read-only query in its own transaction, with `REPORT_SORT_MEMORY` for its sorts (the default spills to disk). */
  private withSortMemory<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.dataSource.transaction('READ COMMITTED', async (manager) => {
      await manager.query(`SET LOCAL work_mem = '${REPORT_SORT_MEMORY}'`);
      return manager.query(sql, params) as Promise<T[]>;
    });
  }

  async report(query: SlaReportQuery): Promise<SlaReport> {
    const generatedAt = new Date().toISOString();
    const params = [query.from, query.to, query.platformId, query.category, query.source, generatedAt];
    const now = '$6::timestamptz';
    const scope = `opened_at >= $1 AND opened_at < $2
      AND ($3::text IS NULL OR tenant = $3) AND ($4::text IS NULL OR category = $4) AND ($5::text IS NULL OR source_type = $5)`;
    // Every column the figures read is in the covering index on opened_at: one pass over that
    // index alone (no heap, no detoasting of the case documents), whatever the log's size.
    const figures = KINDS.flatMap((kind) => [
      `count(*) FILTER (WHERE ${kind}_applicable) AS ${kind}_applicable`,
      ...Object.entries(liveStatePredicatesSql(kind, now)).map(([state, holds]) => `count(*) FILTER (WHERE ${holds}) AS "${kind}_${state}"`),
      `count(${kind}_elapsed_ms) AS ${kind}_ended`,
      ...[
        ['median', 0.5],
        ['p90', 0.9],
        ['p99', 0.99],
      ].map(([name, share]) => `percentile_cont(${share}) WITHIN GROUP (ORDER BY ${kind}_elapsed_ms) AS ${kind}_${name}`),
      `max(${kind}_elapsed_ms) AS ${kind}_max`,
    ]);
    // The page of breaches: per SLA, the first entries of its breach index (cases running or
    // closed as breached, in deadline order) that are breached and in scope; then the two merged.
    // The index's own predicate is repeated so the planner can use it.
    const breachPage = (kind: (typeof KINDS)[number]) => {
      const states = liveStatePredicatesSql(kind, now);
      return `(SELECT case_id, '${kind}' AS sla, ${liveStateSql(kind, now)} AS state, ${kind}_deadline AS deadline
          FROM audit.case_facts
         WHERE ${kind}_applicable AND (${kind}_final_state IS NULL OR ${kind}_final_state = 'breached')
           AND (${states.breached} OR ${states['open-breached']}) AND ${scope}
         ORDER BY ${kind}_deadline, case_id LIMIT $7)`;
    };
    // The figures and the breach page run side by side on two connections.
    const [[row], breachRows] = await Promise.all([
      this.withSortMemory<Record<string, string | number | null>>(
        `SELECT count(*) AS cases, count(*) FILTER (WHERE anomaly_count > 0) AS anomalies, ${figures.join(', ')}
           FROM audit.case_facts WHERE ${scope}`,
        params,
      ),
      this.dataSource.query(
        `WITH page AS (
           SELECT * FROM (${breachPage('response')} UNION ALL ${breachPage('removal')}) b
            ORDER BY deadline, case_id, sla LIMIT $7)
         SELECT page.case_id, c.tenant, c.platform_ad_id, c.category, c.source_type, page.sla, page.state, page.deadline,
                CASE page.sla WHEN 'response' THEN c.response_started_at ELSE c.removal_started_at END AS started_at,
                CASE page.sla WHEN 'response' THEN c.response_ended_at ELSE c.removal_ended_at END AS ended_at,
                CASE page.sla WHEN 'response' THEN c.response_elapsed_ms ELSE c.removal_elapsed_ms END AS elapsed_ms
           FROM page JOIN audit.case_facts c USING (case_id)
          ORDER BY page.deadline, page.case_id, page.sla`,
        [...params, query.breachLimit],
      ) as Promise<Record<string, string | null>[]>,
    ]);
    const count = (name: string) => Number(row[name] ?? 0);
    const duration = (value: string | number | null) => (value === null ? null : Math.round(Number(value)));
    const kindFigures = (kind: (typeof KINDS)[number]): SlaKindFigures => ({
      applicable: count(`${kind}_applicable`),
      met: count(`${kind}_met`),
      breached: count(`${kind}_breached`),
      open: count(`${kind}_open`),
      atRisk: count(`${kind}_at-risk`),
      openBreached: count(`${kind}_open-breached`),
      paused: count(`${kind}_paused`),
      timeTo: {
        count: count(`${kind}_ended`),
        medianMs: duration(row[`${kind}_median`]),
        p90Ms: duration(row[`${kind}_p90`]),
        p99Ms: duration(row[`${kind}_p99`]),
        maxMs: duration(row[`${kind}_max`]),
      },
    });
    return {
      period: { from: query.from, to: query.to },
      filters: { platformId: query.platformId, category: query.category, source: query.source },
      generatedAt,
      cases: count('cases'),
      casesWithAnomalies: count('anomalies'),
      response: kindFigures('response'),
      removal: kindFigures('removal'),
      breachesTotal: KINDS.reduce((total, kind) => total + count(`${kind}_breached`) + count(`${kind}_open-breached`), 0),
      breaches: breachRows.map((b) => ({
        caseId: String(b.case_id),
        platformId: String(b.tenant),
        platformAdId: String(b.platform_ad_id),
        category: String(b.category),
        source: String(b.source_type),
        sla: b.sla as 'response' | 'removal',
        state: b.state as 'breached' | 'open-breached',
        startedAt: iso(b.started_at) as string,
        deadline: iso(b.deadline) as string,
        endedAt: iso(b.ended_at),
        elapsedMs: b.elapsed_ms === null ? null : Number(b.elapsed_ms),
        timeline: `/cases/${encodeURIComponent(String(b.case_id))}/timeline`,
      })),
    };
  }
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

/** The report as CSV: one row per figure, then the breach list. */
export function slaReportCsv(report: SlaReport): { header: string[]; rows: unknown[][] } {
  const rows: unknown[][] = [['all', 'cases', report.cases], ['all', 'cases-with-anomalies', report.casesWithAnomalies]];
  for (const kind of KINDS) {
    const f = report[kind];
    for (const [name, value] of Object.entries({ applicable: f.applicable, met: f.met, breached: f.breached, open: f.open, 'at-risk': f.atRisk, 'open-breached': f.openBreached, paused: f.paused })) {
      rows.push([kind, name, value]);
    }
    for (const [name, value] of Object.entries(f.timeTo)) rows.push([kind, `time-to-${kind}-${name}`, value]);
  }
  for (const b of report.breaches) rows.push([b.sla, `breach:${b.state}`, b.caseId, b.platformId, b.platformAdId, b.category, b.source, b.startedAt, b.deadline, b.endedAt, b.elapsedMs, b.timeline]);
  return { header: ['sla', 'figure', 'value', 'platform', 'ad', 'category', 'source', 'started_at', 'deadline', 'ended_at', 'elapsed_ms', 'timeline'], rows };
}

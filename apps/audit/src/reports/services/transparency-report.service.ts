import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Period } from './report-scope';

export interface TransparencyReport {
  readonly period: Period;
  readonly platformId: string | null;
  readonly generatedAt: string;
  /** DSA Art. 15(1)(b) / 24: notices received, by category and by source. */
  readonly notices: {
    readonly total: number;
    readonly byCategory: Record<string, number>;
    readonly bySource: Record<string, number>;
    /** Art. 22: notices from trusted flaggers. */
    readonly trustedFlaggers: number;
    readonly qualified: number;
    readonly rejected: number;
    readonly pending: number;
  };
  /** Decisions taken in the period (Art. 15(1)(c)): on legal grounds vs terms, by action and category. */
  readonly actions: {
    readonly total: number;
    readonly byGround: Record<string, number>;
    readonly byAction: Record<string, number>;
    readonly byCategory: Record<string, number>;
    readonly ownInitiative: number;
  };
  /** Art. 15(1)(c)/(e): automated means used to detect and to decide. */
  readonly automated: { readonly detection: number; readonly decisionFully: number; readonly decisionPartially: number; readonly notAutomated: number };
  /** Median time from receipt (or knowledge, for own-initiative cases) to decision, and to removal. */
  readonly medianTimeToActionMs: number | null;
  readonly medianTimeToRemovalMs: number | null;
  /** Art. 20 complaints and their outcomes. */
  readonly appeals: { readonly received: number; readonly upheld: number; readonly reversed: number; readonly modified: number; readonly pending: number };
  /** Art. 23: accounts suspended or terminated, and notices rejected as abusive. */
  readonly suspensions: { readonly accountsSuspended: number; readonly accountsTerminated: number; readonly abusiveNoticesRejected: number };
  /** Art. 18 referrals to law enforcement. */
  readonly referrals: number;
}

type Row = Record<string, string | number | null>;

/** DSA Art. 15 and 24 figures, from the notice and case projections. */
@Injectable()
export class TransparencyReportService {
  constructor(private readonly dataSource: DataSource) {}

  async report(period: Period, platformId: string | null): Promise<TransparencyReport> {
    const params = [period.from, period.to, platformId];
    const noticeWhere = `received_at >= $1 AND received_at < $2 AND ($3::text IS NULL OR tenant = $3)`;
    const caseWhere = `decided_at >= $1 AND decided_at < $2 AND ($3::text IS NULL OR tenant = $3)`;
    const grouped = async (sql: string): Promise<Record<string, number>> => {
      const rows: Row[] = await this.dataSource.query(sql, params);
      return Object.fromEntries(rows.map((r) => [String(r.key), Number(r.count)]));
    };
    const [noticeRow]: Row[] = await this.dataSource.query(
      `SELECT count(*) AS total, count(*) FILTER (WHERE trusted_flagger) AS trusted,
              count(*) FILTER (WHERE qualified) AS qualified, count(*) FILTER (WHERE qualified = false) AS rejected,
              count(*) FILTER (WHERE qualified IS NULL) AS pending,
              count(*) FILTER (WHERE rejection_reason = 'abusive-notifier') AS abusive
         FROM audit.notice_facts WHERE ${noticeWhere}`,
      params,
    );
    const [caseRow]: Row[] = await this.dataSource.query(
      `SELECT count(*) AS total,
              count(*) FILTER (WHERE source_type = 'own-initiative') AS own,
              count(*) FILTER (WHERE automated_detection) AS detection,
              count(*) FILTER (WHERE automated_decision = 'fully') AS fully,
              count(*) FILTER (WHERE automated_decision = 'partially') AS partially,
              count(*) FILTER (WHERE automated_decision = 'not-automated') AS not_automated,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - coalesce(notice_received_at, knowledge_at, opened_at)) * 1000) AS median_action,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY removal_elapsed_ms) AS median_removal,
              coalesce(sum(appeals), 0) AS appeals, coalesce(sum(appeals_upheld), 0) AS upheld,
              coalesce(sum(appeals_reversed), 0) AS reversed, coalesce(sum(appeals_modified), 0) AS modified,
              count(*) FILTER (WHERE account_action = 'suspend') AS suspended,
              count(*) FILTER (WHERE account_action = 'terminate') AS terminated,
              count(referred_at) AS referrals
         FROM audit.case_facts WHERE ${caseWhere}`,
      params,
    );
    const n = (row: Row, key: string) => Number(row[key] ?? 0);
    const median = (value: string | number | null) => (value === null ? null : Math.round(Number(value)));
    const appeals = { received: n(caseRow, 'appeals'), upheld: n(caseRow, 'upheld'), reversed: n(caseRow, 'reversed'), modified: n(caseRow, 'modified') };
    return {
      period,
      platformId,
      generatedAt: new Date().toISOString(),
      notices: {
        total: n(noticeRow, 'total'),
        byCategory: await grouped(`SELECT coalesce(category, 'unknown') AS key, count(*) FROM audit.notice_facts WHERE ${noticeWhere} GROUP BY 1 ORDER BY 1`),
        bySource: await grouped(`SELECT coalesce(source_type, 'unknown') AS key, count(*) FROM audit.notice_facts WHERE ${noticeWhere} GROUP BY 1 ORDER BY 1`),
        trustedFlaggers: n(noticeRow, 'trusted'),
        qualified: n(noticeRow, 'qualified'),
        rejected: n(noticeRow, 'rejected'),
        pending: n(noticeRow, 'pending'),
      },
      actions: {
        total: n(caseRow, 'total'),
        byGround: await grouped(`SELECT coalesce(ground, 'none') AS key, count(*) FROM audit.case_facts WHERE ${caseWhere} GROUP BY 1 ORDER BY 1`),
        byAction: await grouped(`SELECT action AS key, count(*) FROM audit.case_facts WHERE ${caseWhere} GROUP BY 1 ORDER BY 1`),
        byCategory: await grouped(`SELECT category AS key, count(*) FROM audit.case_facts WHERE ${caseWhere} GROUP BY 1 ORDER BY 1`),
        ownInitiative: n(caseRow, 'own'),
      },
      automated: { detection: n(caseRow, 'detection'), decisionFully: n(caseRow, 'fully'), decisionPartially: n(caseRow, 'partially'), notAutomated: n(caseRow, 'not_automated') },
      medianTimeToActionMs: median(caseRow.median_action),
      medianTimeToRemovalMs: median(caseRow.median_removal),
      appeals: { ...appeals, pending: Math.max(0, appeals.received - appeals.upheld - appeals.reversed - appeals.modified) },
      suspensions: { accountsSuspended: n(caseRow, 'suspended'), accountsTerminated: n(caseRow, 'terminated'), abusiveNoticesRejected: n(noticeRow, 'abusive') },
      referrals: n(caseRow, 'referrals'),
    };
  }
}

/** The report flattened to `section,figure,value` rows. */
export function transparencyCsv(report: TransparencyReport): { header: string[]; rows: unknown[][] } {
  const rows: unknown[][] = [];
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === 'object') for (const [key, inner] of Object.entries(value)) walk(prefix ? `${prefix}.${key}` : key, inner);
    else rows.push([prefix.split('.')[0], prefix.split('.').slice(1).join('.') || prefix, value]);
  };
  const { period, platformId, generatedAt, ...figures } = report;
  rows.push(['meta', 'from', period.from], ['meta', 'to', period.to], ['meta', 'platformId', platformId], ['meta', 'generatedAt', generatedAt]);
  walk('', figures);
  return { header: ['section', 'figure', 'value'], rows };
}

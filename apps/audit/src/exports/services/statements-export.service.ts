import { Injectable } from '@nestjs/common';
import { TDB_MAX_BATCH, validateStatement, type StatementProblem } from '@vigie/tdb';
import { DataSource } from 'typeorm';
import type { Period } from '../../reports/services/report-scope';
import { ExportException, ExportExceptionCode } from '../exceptions/export.exception';

/** Statements one export answer may hold (about 2 KB each as JSON). */
export const MAX_EXPORTED_STATEMENTS = 50_000;

export interface StatementsExport {
  readonly period: Period;
  readonly platformId: string | null;
  /** Ready to POST to the Transparency Database, one `{statements}` body per batch (1–100). */
  readonly batches: { statements: Record<string, unknown>[] }[];
  readonly exported: number;
  /** Statements left out, with every reason (the database would refuse their whole batch). */
  readonly rejected: { puid: string; caseId: string; platformId: string; problems: StatementProblem[] }[];
}

export interface ValidStatement {
  readonly platformId: string;
  readonly puid: string;
  readonly statement: Record<string, unknown>;
}

/** A row of `audit.statements_of_reasons`, as far as the database's rules are concerned. */
export interface StoredStatement {
  readonly statement: Record<string, unknown>;
  readonly conflicting_event_ids: string[];
}

/**
 * Why the database would refuse a stored statement: its own rules, and a puid the platform gave
 * another statement as well. The export and the submission apply the same rules.
 */
export function statementProblems(row: StoredStatement): StatementProblem[] {
  const problems = validateStatement(row.statement);
  if (row.conflicting_event_ids.length > 0) problems.push({ field: 'puid', reason: `reused by ${row.conflicting_event_ids.length} other statement(s): a puid is never reused` });
  return problems;
}

/** Statements of reasons sent to uploaders (`uploader.informed`), as Transparency Database batches. */
@Injectable()
export class StatementsExportService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One answer holds every statement of the period, so its size is capped (`maxStatements`): a
   * period with more is refused with the count, to be asked for in shorter periods.
   */
  async export(period: Period, platformId: string | null, maxStatements = MAX_EXPORTED_STATEMENTS): Promise<StatementsExport> {
    const { valid, rejected } = await this.validStatements(period, platformId, maxStatements + 1);
    if (valid.length + rejected.length > maxStatements) {
      const [{ count }] = await this.dataSource.query(
        `SELECT count(*)::int AS count FROM audit.statements_of_reasons WHERE informed_at >= $1 AND informed_at < $2 AND ($3::text IS NULL OR tenant = $3)`,
        [period.from, period.to, platformId],
      );
      throw new ExportException(
        ExportExceptionCode.PERIOD_TOO_LARGE,
        `${count} statements of reasons in this period, more than the ${maxStatements} one export holds: ask for shorter periods (from, to)`,
      );
    }
    const batches: StatementsExport['batches'] = [];
    for (let i = 0; i < valid.length; i += TDB_MAX_BATCH) batches.push({ statements: valid.slice(i, i + TDB_MAX_BATCH).map((entry) => entry.statement) });
    return { period, platformId, batches, exported: valid.length, rejected };
  }

  /** The statements that pass every rule, each with its platform, and the rest with reasons. */
  private async validStatements(
    period: Period,
    platformId: string | null,
    limit: number,
  ): Promise<{ valid: ValidStatement[]; rejected: StatementsExport['rejected'][number][] }> {
    const rows: (StoredStatement & { tenant: string; puid: string; case_id: string })[] = await this.dataSource.query(
      `SELECT tenant, puid, case_id, statement, conflicting_event_ids FROM audit.statements_of_reasons
        WHERE informed_at >= $1 AND informed_at < $2 AND ($3::text IS NULL OR tenant = $3)
        ORDER BY informed_at, tenant, puid
        LIMIT $4`,
      [period.from, period.to, platformId, limit],
    );
    const valid: ValidStatement[] = [];
    const rejected: StatementsExport['rejected'][number][] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      const problems = statementProblems(row);
      // The database is one namespace per platform; one export file spanning platforms keeps puids unique too.
      if (seen.has(row.puid)) problems.push({ field: 'puid', reason: 'not unique in this export' });
      seen.add(row.puid);
      if (problems.length > 0) rejected.push({ puid: row.puid, caseId: row.case_id, platformId: row.tenant, problems });
      else valid.push({ platformId: row.tenant, puid: row.puid, statement: row.statement });
    }
    return { valid, rejected };
  }
}

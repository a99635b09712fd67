import { Inject, Injectable } from '@nestjs/common';
import { uuidv7, type AnyEvent } from '@vigie/contracts';
import type { ConsumedEvent } from '@vigie/messaging';
import { SERVICE_LOGGER } from '@vigie/service-kit';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AuditLogAppender } from '../../log/services/audit-log-appender.service';
import { ProjectorService } from '../../projections/services/projector.service';
import { HistoryImportException, HistoryImportExceptionCode } from '../exceptions/history-import.exception';
import { CsvRecordReader } from './csv-records';
import { eventsForRow } from './moderation-log-events';
import { checkCsvHeader, csvRecordToRaw, parseModerationLogRow, type ModerationLogRow, type RowError } from './moderation-log-rows';

export type HistoryImportFormat = 'csv' | 'ndjson';

export interface HistoryImportReport {
  importId: string;
  platformId: string;
  format: HistoryImportFormat;
  status: 'running' | 'completed' | 'failed';
  bytesRead: number;
  bytesExpected: number | null;
  rows: number;
  imported: number;
  /** Rows whose case was already in the log (a re-import): their known facts are not recorded twice. */
  alreadyImported: number;
  rejected: number;
  eventsAppended: number;
  errors: RowError[];
  /** More rows were rejected than are listed; the counts are still exact. */
  errorsTruncated: boolean;
  failure: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** The SLA engine has taken every recorded row into account: reports include them. */
  projected: boolean;
}

/** Rows recorded per transaction: big enough to amortise the commit, small enough to show progress. */
const CHUNK_ROWS = 500;
const MAX_REPORTED_ERRORS = 1000;
const MAX_RECORD_BYTES = 64 * 1024;
/** One upload is one audit job; a bigger history is split into several files. */
export const MAX_IMPORT_ROWS = 5_000_000;
/** Where replayed events say they came from, in the log's broker coordinates. */
const IMPORT_TOPIC_PREFIX = 'history-import:';

interface ImportRow {
  id: string;
  tenant: string;
  format: HistoryImportFormat;
  status: HistoryImportReport['status'];
  bytes_read: string;
  bytes_expected: string | null;
  rows_read: number;
  rows_imported: number;
  rows_already_imported: number;
  rows_rejected: number;
  events_appended: number;
  errors: RowError[];
  errors_truncated: boolean;
  failure: string | null;
  started_at: Date;
  finished_at: Date | null;
  last_position: string | null;
}

/**
 * Replays a platform's past moderation log (CSV or NDJSON) into the audit log as events, so
 * its past compliance is measured by the same SLA engine as live cases. The upload is read as
 * a stream with backpressure: rows are validated as they arrive and recorded in chunks, each
 * chunk and the job's progress in one transaction. Event ids are derived from the rows, so an
 * interrupted import can simply be sent again.
 */
@Injectable()
export class HistoryImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly appender: AuditLogAppender,
    private readonly projector: ProjectorService,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async run(input: { platformId: string; format: HistoryImportFormat; body: Readable; bytesExpected: number | null; requestedBy: string }): Promise<HistoryImportReport> {
    const importId = uuidv7();
    const startedAt = new Date();
    await this.dataSource.query(
      `INSERT INTO audit.history_imports (id, tenant, format, status, requested_by, bytes_expected, started_at, updated_at)
       VALUES ($1, $2, $3, 'running', $4, $5, $6, $6)`,
      [importId, input.platformId, input.format, input.requestedBy, input.bytesExpected, startedAt],
    );
    const report: HistoryImportReport = {
      importId,
      platformId: input.platformId,
      format: input.format,
      status: 'running',
      bytesRead: 0,
      bytesExpected: input.bytesExpected,
      rows: 0,
      imported: 0,
      alreadyImported: 0,
      rejected: 0,
      eventsAppended: 0,
      errors: [],
      errorsTruncated: false,
      failure: null,
      startedAt: startedAt.toISOString(),
      finishedAt: null,
      projected: false,
    };
    let lastPosition = 0;
    this.logger.info({ importId, platformId: input.platformId, format: input.format }, 'history import started');

    let pending: ModerationLogRow[] = [];
    let pendingErrors: RowError[] = [];
    let offset = 0;
    const flush = async () => {
      const rows = pending;
      const errors = pendingErrors;
      pending = [];
      pendingErrors = [];
      report.errors.push(...errors);
      const importedAt = new Date();
      const consumed: ConsumedEvent[] = [];
      const caseOpenedIds: string[] = [];
      for (const row of rows) {
        const events: AnyEvent[] = eventsForRow(input.platformId, row, importedAt);
        caseOpenedIds.push(events[0].id);
        for (const event of events) {
          consumed.push({
            event,
            coordinates: { topic: `${IMPORT_TOPIC_PREFIX}${importId}`, partition: 0, offset: String(offset++), timestamp: String(importedAt.getTime()), headers: {} },
          });
        }
      }
      await this.dataSource.transaction(async (manager) => {
        if (rows.length > 0) {
          const known: { n: number }[] = await manager.query('SELECT count(*)::int AS n FROM audit.log WHERE event_id = ANY($1::uuid[])', [caseOpenedIds]);
          report.alreadyImported += known[0].n;
          report.imported += rows.length - known[0].n;
          report.eventsAppended += await this.appender.append(manager, consumed, importedAt);
          const positions: { last: string | null }[] = await manager.query('SELECT max(position) AS last FROM audit.log WHERE event_id = ANY($1::uuid[])', [
            consumed.map((item) => item.event.id),
          ]);
          lastPosition = Math.max(lastPosition, Number(positions[0].last ?? 0));
        }
        await this.saveProgress(manager, report, lastPosition);
      });
    };

    const accept = async (raw: unknown, line: number) => {
      report.rows++;
      if (report.rows > MAX_IMPORT_ROWS) {
        throw new HistoryImportException(HistoryImportExceptionCode.INVALID_REQUEST, `an import holds at most ${MAX_IMPORT_ROWS} rows: split the file`);
      }
      const parsed =
        raw !== null && typeof raw === 'object' && !Array.isArray(raw)
          ? parseModerationLogRow(raw as Record<string, unknown>, report.rows, line, Date.now())
          : { ok: false as const, errors: [{ row: report.rows, line, field: '', reason: 'each row must be a JSON object' }] };
      if (parsed.ok) pending.push(parsed.value);
      else {
        report.rejected++;
        noteErrors(parsed.errors);
      }
      if (pending.length >= CHUNK_ROWS) await flush();
    };
    // Errors wait with their chunk so the report lists them in row order; past the reported
    // maximum they are only counted, so a file of nothing but bad rows cannot grow memory.
    const noteErrors = (errors: RowError[]) => {
      for (const error of errors) {
        if (report.errors.length + pendingErrors.length < MAX_REPORTED_ERRORS) pendingErrors.push(error);
        else report.errorsTruncated = true;
      }
    };
    const rejectLine = (line: number, reason: string) => {
      report.rows++;
      report.rejected++;
      noteErrors([{ row: report.rows, line, field: '', reason }]);
    };

    let failure: unknown;
    try {
      const decoder = new TextDecoder('utf-8', { fatal: true });
      const records = input.format === 'csv' ? new CsvRowSource(rejectLine) : new NdjsonRowSource(rejectLine);
      for await (const chunk of input.body) {
        const bytes = chunk as Buffer;
        report.bytesRead += bytes.length;
        let text: string;
        try {
          text = decoder.decode(bytes, { stream: true });
        } catch {
          throw new HistoryImportException(HistoryImportExceptionCode.INVALID_REQUEST, `the upload is not valid UTF-8 (after row ${report.rows})`);
        }
        for (const { raw, line } of records.push(text)) await accept(raw, line);
      }
      for (const { raw, line } of records.end()) await accept(raw, line);
      await flush();
      report.status = 'completed';
    } catch (error) {
      report.status = 'failed';
      report.failure = error instanceof Error ? error.message : String(error);
      failure = error;
    }
    report.finishedAt = new Date().toISOString();
    await this.saveProgress(this.dataSource.manager, report, lastPosition).catch((error: Error) => this.logger.error({ err: error, importId }, 'could not record the import outcome'));
    this.projector.wake();
    this.logger.info({ importId, rows: report.rows, imported: report.imported, rejected: report.rejected, status: report.status }, 'history import finished');
    if (failure !== undefined) {
      const recorded = `import ${importId} stopped after recording ${report.imported} row(s); sending the file again completes it without duplicates`;
      if (failure instanceof HistoryImportException) {
        throw new HistoryImportException(failure.code, `${report.failure} (${recorded})`, undefined, { importId });
      }
      this.logger.error({ err: failure, importId }, 'history import failed');
      throw new HistoryImportException(HistoryImportExceptionCode.UNAVAILABLE, `the audit could not record the import right now (${recorded})`, undefined, { importId });
    }
    return report;
  }

  async get(importId: string, platformId: string | null): Promise<HistoryImportReport> {
    const rows: ImportRow[] = await this.dataSource.query(
      `SELECT * FROM audit.history_imports WHERE id = $1 AND ($2::text IS NULL OR tenant = $2)`,
      [importId, platformId],
    );
    if (rows.length === 0) throw new HistoryImportException(HistoryImportExceptionCode.IMPORT_NOT_FOUND, `no import ${importId} is visible to this key`);
    return toReport(rows[0], await this.projector.position());
  }

  async list(platformId: string | null, limit: number): Promise<Omit<HistoryImportReport, 'errors'>[]> {
    const rows: ImportRow[] = await this.dataSource.query(
      `SELECT * FROM audit.history_imports WHERE ($1::text IS NULL OR tenant = $1) ORDER BY started_at DESC LIMIT $2`,
      [platformId, limit],
    );
    const projectedUpTo = await this.projector.position();
    return rows.map((row) => {
      const { errors: _errors, ...rest } = toReport(row, projectedUpTo);
      return rest;
    });
  }

  private async saveProgress(manager: { query: DataSource['query'] }, report: HistoryImportReport, lastPosition: number): Promise<void> {
    await manager.query(
      `UPDATE audit.history_imports
          SET status = $2, bytes_read = $3, rows_read = $4, rows_imported = $5, rows_already_imported = $6, rows_rejected = $7,
              events_appended = $8, errors = $9::jsonb, errors_truncated = $10, failure = $11, updated_at = now(), finished_at = $12,
              last_position = $13
        WHERE id = $1`,
      [
        report.importId,
        report.status,
        report.bytesRead,
        report.rows,
        report.imported,
        report.alreadyImported,
        report.rejected,
        report.eventsAppended,
        JSON.stringify(report.errors, (_key, value: unknown) => storable(value)),
        report.errorsTruncated,
        storable(report.failure),
        report.finishedAt,
        lastPosition === 0 ? null : lastPosition,
      ],
    );
  }
}

/**
 * Rejected rows echo the input that failed (an ad id, a column name), which may hold U+0000:
 * no PostgreSQL text or jsonb can store it, and failing to save the report failed the import.
 */
function storable<T>(value: T): T {
  return (typeof value === 'string' ? value.replaceAll('\u0000', '\uFFFD') : value) as T;
}

function toReport(row: ImportRow, projectedUpTo: number): HistoryImportReport {
  return {
    importId: row.id,
    platformId: row.tenant,
    format: row.format,
    status: row.status,
    bytesRead: Number(row.bytes_read),
    bytesExpected: row.bytes_expected === null ? null : Number(row.bytes_expected),
    rows: row.rows_read,
    imported: row.rows_imported,
    alreadyImported: row.rows_already_imported,
    rejected: row.rows_rejected,
    eventsAppended: row.events_appended,
    errors: row.errors,
    errorsTruncated: row.errors_truncated,
    failure: row.failure,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at === null ? null : row.finished_at.toISOString(),
    projected: row.status !== 'running' && (row.last_position === null || projectedUpTo >= Number(row.last_position)),
  };
}

interface RowSource {
  push(text: string): { raw: unknown; line: number }[];
  end(): { raw: unknown; line: number }[];
}

/** CSV: the first record is the header; every later record a row. */
class CsvRowSource implements RowSource {
  private readonly reader = new CsvRecordReader(MAX_RECORD_BYTES);
  private header: string[] | null = null;

  constructor(private readonly rejectLine: (line: number, reason: string) => void) {}

  push(text: string): { raw: unknown; line: number }[] {
    return this.rows(this.reader.push(text));
  }

  end(): { raw: unknown; line: number }[] {
    const last = this.reader.end();
    if (last?.unterminatedQuote) {
      this.rejectLine(last.line, 'a quoted field is never closed');
      return [];
    }
    const rows = this.rows(last === null ? [] : [last]);
    if (this.header === null) throw new HistoryImportException(HistoryImportExceptionCode.INVALID_HEADER, 'the CSV is empty: it needs a header line');
    return rows;
  }

  private rows(records: { fields: string[]; line: number; tooLong: boolean }[]): { raw: unknown; line: number }[] {
    const out: { raw: unknown; line: number }[] = [];
    for (const record of records) {
      if (this.header === null) {
        // A byte-order mark before the first column name is common in spreadsheet exports.
        const names = record.fields.map((name, index) => (index === 0 ? name.replace(/^\uFEFF/, '') : name).trim());
        const problem = checkCsvHeader(names);
        if (problem !== null) throw new HistoryImportException(HistoryImportExceptionCode.INVALID_HEADER, `invalid CSV header: ${problem}`);
        this.header = names;
        continue;
      }
      if (record.fields.length === 1 && record.fields[0] === '') continue; // blank line
      if (record.tooLong) {
        this.rejectLine(record.line, `a row is at most ${MAX_RECORD_BYTES} characters`);
        continue;
      }
      const raw = csvRecordToRaw(this.header, record.fields);
      if ('error' in raw) this.rejectLine(record.line, raw.error as string);
      else out.push({ raw, line: record.line });
    }
    return out;
  }
}

/** NDJSON: one JSON object per line. */
class NdjsonRowSource implements RowSource {
  private carry = '';
  private line = 0;

  constructor(private readonly rejectLine: (line: number, reason: string) => void) {}

  push(text: string): { raw: unknown; line: number }[] {
    const out: { raw: unknown; line: number }[] = [];
    let start = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      this.take(this.carry + text.slice(start, newline), out);
      this.carry = '';
      start = newline + 1;
    }
    this.carry += text.slice(start);
    if (this.carry.length > MAX_RECORD_BYTES) {
      // Keep only enough to know the line is too long; the rest of it is dropped as it comes.
      this.carry = this.carry.slice(0, MAX_RECORD_BYTES + 1);
    }
    return out;
  }

  end(): { raw: unknown; line: number }[] {
    const out: { raw: unknown; line: number }[] = [];
    if (this.carry !== '') this.take(this.carry, out);
    this.carry = '';
    return out;
  }

  private take(text: string, out: { raw: unknown; line: number }[]): void {
    this.line++;
    const trimmed = text.trim();
    if (trimmed === '') return;
    if (trimmed.length > MAX_RECORD_BYTES) {
      this.rejectLine(this.line, `a row is at most ${MAX_RECORD_BYTES} characters`);
      return;
    }
    try {
      out.push({ raw: JSON.parse(trimmed), line: this.line });
    } catch (error) {
      this.rejectLine(this.line, `invalid JSON: ${(error as Error).message.slice(0, 200)}`);
    }
  }
}

// `vigie audit import`: sends a platform's past moderation log (CSV or NDJSON) to the audit's
// historical import as a stream, with a progress bar on the bytes the service has taken (it
// reads with backpressure, so what it has taken is what it has recorded, give or take a chunk).
//
//   npm run vigie -- audit import <file> [--platform <id>] [--format csv|ndjson] [--errors <file.csv>]
import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { AUDIT, CliApiError } from './api-client';
import { UsageError, type ParsedArguments } from './cli-arguments';
import { progressReporter } from './progress-bar';

export const AUDIT_IMPORT_HELP = `
Historical import (audit API; officer of the platform, or admin with --platform):
  audit import <file> [--platform <id>]            replay a past moderation log (CSV with a header, or NDJSON)
        [--format csv|ndjson] [--errors <out.csv>]   as audit events; progress bar, per-row error report
                                                   (--errors writes every listed bad row); sending the same
                                                   file again adds nothing twice
  audit imports [--platform <id>]                  recent imports with their counts
`;

export interface ImportReport {
  importId: string;
  platformId: string;
  status: string;
  rows: number;
  imported: number;
  alreadyImported: number;
  rejected: number;
  eventsAppended: number;
  errors: { row: number; line: number; adId?: string; field: string; reason: string }[];
  errorsTruncated: boolean;
}

export function isAuditImportCommand(action: string | undefined): boolean {
  return action === 'import' || action === 'imports';
}

function formatOf(file: string, option: string | true | undefined): 'csv' | 'ndjson' {
  if (option === 'csv' || option === 'ndjson') return option;
  if (option !== undefined) throw new UsageError('--format must be csv or ndjson');
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(nd)?jsonl?$/i.test(file) || /\.ndjson$/i.test(file)) return 'ndjson';
  throw new UsageError(`cannot tell the format of ${file} from its name: add --format csv or --format ndjson`);
}

/**
 * Streams `file` to the audit's historical import and answers its report. `onProgress` is told
 * the bytes taken by the service so far and the file size.
 */
export async function importModerationLog(options: {
  file: string;
  format: 'csv' | 'ndjson';
  platformId?: string;
  apiKey: string;
  auditUrl: string;
  onProgress?: (sentBytes: number, totalBytes: number) => void;
}): Promise<ImportReport> {
  const total = statSync(options.file).size;
  let sent = 0;
  const source = createReadStream(options.file, { highWaterMark: 256 * 1024 });
  source.on('data', (chunk) => {
    sent += chunk.length;
    options.onProgress?.(sent, total);
  });
  const query = options.platformId ? `?platformId=${encodeURIComponent(options.platformId)}` : '';
  let response: Response;
  try {
    response = await fetch(`${options.auditUrl.replace(/\/$/, '')}/imports/moderation-log${query}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        'content-type': options.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
        'content-length': String(total),
      },
      body: Readable.toWeb(source) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
  } catch (error) {
    source.destroy();
    throw new CliApiError(`cannot reach the audit service at ${options.auditUrl}: ${(error as Error).cause ?? (error as Error).message}`, 69);
  }
  const text = await response.text();
  let answer: ImportReport & { message?: string; errors?: unknown };
  try {
    answer = JSON.parse(text);
  } catch {
    throw new CliApiError(`${response.status}: ${text.slice(0, 300)}`, 1);
  }
  if (!response.ok) throw new CliApiError(`${response.status}: ${answer.message ?? response.statusText}`, response.status === 401 || response.status === 403 ? 77 : 1);
  return answer;
}

const csvCell = (value: unknown) => {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function summariseImport(report: ImportReport): string {
  return [
    `import ${report.importId} (${report.platformId}): ${report.status}`,
    `${report.rows} rows: ${report.imported} imported, ${report.alreadyImported} already imported, ${report.rejected} rejected; ${report.eventsAppended} audit events appended`,
    ...report.errors.slice(0, 20).map((e) => `  row ${e.row} (line ${e.line})${e.adId ? ` ad ${e.adId}` : ''}: ${e.field || 'row'}: ${e.reason}`),
    ...(report.errors.length > 20 || report.errorsTruncated ? [`  … ${report.rejected - Math.min(20, report.errors.length)} more rejected row(s); use --errors <file.csv> for the list`] : []),
  ].join('\n');
}

export async function runAuditImportCommand(parsed: ParsedArguments): Promise<string> {
  const [, action, file] = parsed.positional;
  const apiKey = process.env.VIGIE_API_KEY;
  if (!apiKey) throw new CliApiError(`VIGIE_API_KEY is not set: export ${AUDIT.keyHint} first`, 77);
  const auditUrl = process.env[AUDIT.urlVariable] ?? AUDIT.defaultUrl;
  const platform = parsed.options.platform;
  if (platform === true) throw new UsageError('--platform needs a value');
  if (action === 'imports') {
    const query = typeof platform === 'string' ? `?platformId=${encodeURIComponent(platform)}` : '';
    const response = await fetch(`${auditUrl.replace(/\/$/, '')}/imports${query}`, { headers: { authorization: `Bearer ${apiKey}` } });
    const list = (await response.json()) as (Omit<ImportReport, 'errors'> & { startedAt: string })[];
    if (!response.ok) throw new CliApiError(`${response.status}: ${(list as unknown as { message?: string }).message ?? response.statusText}`, 1);
    if (parsed.options.json === true) return JSON.stringify(list, null, 2);
    return list.length === 0 ? 'no imports' : list.map((i) => `${i.importId}  ${i.platformId}  ${i.startedAt}  ${i.status}  rows=${i.rows} imported=${i.imported} rejected=${i.rejected}`).join('\n');
  }
  if (!file) throw new UsageError('audit import needs a <file>');
  const progress = progressReporter('bytes');
  const report = await importModerationLog({
    file,
    format: formatOf(file, parsed.options.format),
    platformId: typeof platform === 'string' ? platform : undefined,
    apiKey,
    auditUrl,
    onProgress: (sent, total) => progress.update(sent, total),
  });
  progress.finish();
  const errorsFile = parsed.options.errors;
  if (errorsFile === true) throw new UsageError('--errors needs a file name');
  if (typeof errorsFile === 'string') {
    const lines = ['row,line,adId,field,reason', ...report.errors.map((e) => [e.row, e.line, e.adId, e.field, e.reason].map(csvCell).join(','))];
    writeFileSync(errorsFile, `${lines.join('\n')}\n`);
  }
  if (parsed.options.json === true) return JSON.stringify(report, null, 2);
  return summariseImport(report) + (typeof errorsFile === 'string' ? `\nrejected rows written to ${errorsFile}` : '');
}

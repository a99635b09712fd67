import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importModerationLog, type ImportReport } from '../cli/audit-import-commands';
import { progressReporter } from '../cli/progress-bar';
import { generateModerationHistory } from './moderation-history';
import type { SlaReportSummary } from './scenario';

export interface ReplayOptions {
  readonly auditUrl: string;
  /** An admin key (or the platform's officer key). */
  readonly apiKey: string;
  readonly platformId: string;
  readonly days?: number;
  readonly casesPerDay?: number;
  /** Where the generated CSV is written (kept, so it can be inspected or imported again). */
  readonly directory: string;
  readonly progress?: boolean;
  readonly log: (line: string) => void;
}

export interface ReplayResult {
  readonly file: string;
  readonly from: string;
  readonly import: ImportReport;
  readonly report: SlaReportSummary;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Generates a synthetic moderation history, sends it through the audit's historical import
 * (as a platform's compliance officer would with `vigie audit import`), waits until the SLA
 * engine has projected every imported case and answers the SLA report over that period.
 */
export async function replayModerationHistory(options: ReplayOptions): Promise<ReplayResult> {
  const days = options.days ?? 30;
  const history = generateModerationHistory({ days, casesPerDay: options.casesPerDay });
  mkdirSync(options.directory, { recursive: true });
  const file = join(options.directory, `moderation-log-${options.platformId}-${days}d.csv`);
  writeFileSync(file, history.csv);
  options.log(`replaying ${history.rows} cases of ${days} days of moderation history (${file}) through the historical import`);
  const progress = options.progress ? progressReporter('bytes') : null;
  const imported = await importModerationLog({
    file,
    format: 'csv',
    platformId: options.platformId,
    apiKey: options.apiKey,
    auditUrl: options.auditUrl,
    onProgress: (sent, total) => progress?.update(sent, total),
  });
  progress?.finish();
  options.log(
    `import ${imported.importId}: ${imported.imported} imported, ${imported.alreadyImported} already imported, ${imported.rejected} rejected, ${imported.eventsAppended} audit events`,
  );
  // Reports read the SLA engine's projection of the log: wait until it has every imported row.
  const headers = { authorization: `Bearer ${options.apiKey}` };
  const deadline = Date.now() + 120_000;
  while (!((await (await fetch(`${options.auditUrl}/imports/${imported.importId}`, { headers })).json()) as { projected: boolean }).projected) {
    if (Date.now() > deadline) throw new Error(`the SLA engine did not take import ${imported.importId} into account within 2 min`);
    await sleep(250);
  }
  const response = await fetch(`${options.auditUrl}/reports/sla?platformId=${encodeURIComponent(options.platformId)}&from=${encodeURIComponent(history.from)}&limit=0`, { headers });
  if (response.status !== 200) throw new Error(`the audit's SLA report answered ${response.status}`);
  return { file, from: history.from, import: imported, report: (await response.json()) as SlaReportSummary };
}

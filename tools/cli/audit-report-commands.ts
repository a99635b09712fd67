// `vigie audit …` commands that read the audit service's API: compliance reports, a case's
// timeline, statements-of-reasons export and submission to a Transparency Database.
//
//   npm run vigie -- audit report sla [--from --to --platform --category --source] [--csv]
//   npm run vigie -- audit report transparency [--from --to --platform] [--csv]
//   npm run vigie -- audit timeline <caseId> [--csv]
//   npm run vigie -- audit export-statements [--from --to --platform] [--out <dir>]
//   npm run vigie -- audit submit-statements --url <url> [--from --to --platform] [--retry-rejected] [--token-file <f>]
//   npm run vigie -- audit evidence <caseId> --out <file>
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT, callService } from './api-client';
import { requireOption, UsageError, type ParsedArguments } from './cli-arguments';

export const AUDIT_REPORT_HELP = `
Audit reports and exports (audit API):
  audit report sla [--from <d>] [--to <d>]         SLA compliance: states, times to response/removal, breaches
        [--platform <id>] [--category <c>] [--source <s>] [--csv]
  audit report transparency [--from --to --platform] [--csv]   DSA Art. 15/24 figures
  audit timeline <caseId> [--csv]                  a case's facts, deadlines, SLA states and chain status
  audit export-statements [--from --to --platform] [--out <dir>]   statements of reasons as Transparency
                                                   Database batches (one JSON file per batch with --out)
  audit submit-statements --url <url> [--from --to --platform] [--retry-rejected]
        [--token-file <file>]                      send them to a Transparency Database (admin), idempotent by puid,
                                                   in as many runs as the period needs (a line per run on stderr);
                                                   the platform's API token comes from the file or VIGIE_TDB_TOKEN
                                                   (with --platform) and is sent as a bearer token, never stored
  audit evidence <caseId> --out <file>             a case's evidence bundle (records, chain, signed checkpoint,
                                                   Merkle proof); check it offline with audit verify-bundle
`;

const AUDIT_REPORT_ACTIONS = new Set(['report', 'timeline', 'export-statements', 'submit-statements', 'evidence']);

export function isAuditReportCommand(action: string | undefined): boolean {
  return action !== undefined && AUDIT_REPORT_ACTIONS.has(action);
}

const call = (method: string, path: string, body?: unknown, accept = 'application/json') => callService(AUDIT, method, path, { body, accept });

function query(parsed: ParsedArguments, names: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const [option, param] of Object.entries(names)) {
    const value = parsed.options[option];
    if (value === true) throw new UsageError(`--${option} needs a value`);
    if (typeof value === 'string') params.set(param, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

const PERIOD = { from: 'from', to: 'to', platform: 'platformId' };

export async function runAuditReportCommand(parsed: ParsedArguments): Promise<string> {
  if (parsed.options.help) return AUDIT_REPORT_HELP.trim();
  const [, action, ...rest] = parsed.positional;
  const csv = parsed.options.csv === true;
  const accept = csv ? 'text/csv' : 'application/json';
  const pretty = (text: string) => (csv ? text.trimEnd() : JSON.stringify(JSON.parse(text), null, 2));
  switch (action) {
    case 'report': {
      if (rest[0] === 'sla') {
        const text = await call('GET', `/reports/sla${query(parsed, { ...PERIOD, category: 'category', source: 'source', limit: 'limit' })}`, undefined, accept);
        return pretty(text);
      }
      if (rest[0] === 'transparency') return pretty(await call('GET', `/reports/transparency${query(parsed, PERIOD)}`, undefined, accept));
      throw new UsageError('expected audit report sla or audit report transparency');
    }
    case 'evidence': {
      if (!rest[0]) throw new UsageError('audit evidence needs a <caseId>');
      const out = requireOption(parsed, 'out');
      const bundle = await call('GET', `/cases/${encodeURIComponent(rest[0])}/evidence`);
      writeFileSync(out, `${JSON.stringify(JSON.parse(bundle), null, 2)}\n`);
      return `evidence bundle of case ${rest[0]} written to ${out}; verify it offline with: vigie audit verify-bundle ${out} --public-key <pem>`;
    }
    case 'timeline': {
      if (!rest[0]) throw new UsageError('audit timeline needs a <caseId>');
      return pretty(await call('GET', `/cases/${encodeURIComponent(rest[0])}/timeline`, undefined, accept));
    }
    case 'export-statements': {
      const exported = JSON.parse(await call('GET', `/exports/statements-of-reasons${query(parsed, PERIOD)}`)) as {
        batches: unknown[];
        exported: number;
        rejected: { puid: string; problems: { field: string; reason: string }[] }[];
      };
      const out = parsed.options.out;
      if (out === true) throw new UsageError('--out needs a directory');
      if (typeof out !== 'string') return JSON.stringify(exported, null, 2);
      mkdirSync(out, { recursive: true });
      exported.batches.forEach((batch, index) => writeFileSync(join(out, `statements-${String(index + 1).padStart(4, '0')}.json`), `${JSON.stringify(batch, null, 2)}\n`));
      writeFileSync(join(out, 'rejected.json'), `${JSON.stringify(exported.rejected, null, 2)}\n`);
      return [
        `${exported.exported} statements in ${exported.batches.length} batch file(s) under ${out}`,
        `${exported.rejected.length} left out (reasons in ${join(out, 'rejected.json')})`,
        ...exported.rejected.slice(0, 20).map((r) => `  ${r.puid}: ${r.problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`),
      ].join('\n');
    }
    case 'submit-statements': {
      const body: Record<string, unknown> = { url: requireOption(parsed, 'url') };
      for (const [option, field] of Object.entries(PERIOD)) if (typeof parsed.options[option] === 'string') body[field] = parsed.options[option];
      if (parsed.options['retry-rejected'] === true) body.retryRejected = true;
      const token = databaseToken(parsed);
      if (token !== undefined) body.token = token;
      const total = await submitStatements(body);
      if (parsed.options.json === true) return JSON.stringify(total, null, 2);
      return [
        `${describeSubmission(total)} in ${total.runs} run(s)`,
        // Failed statements are behind where the runs stopped: only a new invocation, which starts
        // at the period's beginning, sends them again.
        ...(total.remaining + total.failed > 0 ? [`${total.remaining + total.failed} statement(s) still to send: run the command again`] : []),
        ...total.batches
          .filter((batch) => batch.outcome !== 'accepted')
          .map((batch) => `  ${batch.outcome.toUpperCase()} ${batch.platformId} [${batch.puids.join(', ')}] ${batch.status ?? '-'} ${JSON.stringify(batch.answer ?? null).slice(0, 300)}`),
      ].join('\n');
    }
    default:
      throw new UsageError(`unknown audit command "${action}"`);
  }
}

/** The audit service's answer to one submission run (`SubmissionReport`). */
interface SubmissionRunReport {
  runId: string;
  url: string;
  period: { from: string; to: string };
  platformId: string | null;
  submitted: number;
  skipped: number;
  previouslyRejected: number;
  rejected: number;
  failed: number;
  alreadyPresent: number;
  invalid: number;
  remaining: number;
  resumeAfter: string | null;
  batches: { platformId: string; puids: string[]; outcome: string; status: number | null; answer?: unknown }[];
  acceptedBatchesOmitted: number;
}

/** The runs' reports in one: counts summed, batches together, the last run's `remaining`. */
type SubmissionTotal = Omit<SubmissionRunReport, 'runId'> & { runs: number; runIds: string[] };

const SUMMED = ['submitted', 'skipped', 'previouslyRejected', 'rejected', 'failed', 'alreadyPresent', 'invalid', 'acceptedBatchesOmitted'] as const;

function describeSubmission(report: Pick<SubmissionRunReport, (typeof SUMMED)[number]>): string {
  return `submitted ${report.submitted}, skipped (already accepted) ${report.skipped}, previously rejected ${report.previouslyRejected}, rejected ${report.rejected}, failed ${report.failed}, already present ${report.alreadyPresent}`;
}

/**
 * A run sends a bounded number of statements and says how many remain: runs follow one another,
 * each starting where the last stopped, until none remain. A run that got no answer for any of
 * its statements (the database unreachable, or refusing the credentials) ends the loop, rather
 * than walking the rest of the period into failures.
 */
async function submitStatements(body: Record<string, unknown>): Promise<SubmissionTotal> {
  let total: SubmissionTotal | null = null;
  for (;;) {
    let report: SubmissionRunReport;
    try {
      report = JSON.parse(await call('POST', '/admin/exports/statements-of-reasons/submit', total?.resumeAfter ? { ...body, resumeAfter: total.resumeAfter } : body)) as SubmissionRunReport;
    } catch (error) {
      if (total) process.stderr.write(`after ${total.runs} run(s): ${describeSubmission(total)}, remaining ${total.remaining}\n`);
      throw error;
    }
    const { runId, ...counts } = report;
    if (total === null) {
      total = { ...counts, batches: [...report.batches], runs: 1, runIds: [runId] };
    } else {
      total.runs++;
      total.runIds.push(runId);
      for (const field of SUMMED) total[field] += report[field];
      total.batches.push(...report.batches);
      total.remaining = report.remaining;
      total.resumeAfter = report.resumeAfter;
    }
    process.stderr.write(`run ${total.runs}: submitted ${report.submitted}, rejected ${report.rejected}, failed ${report.failed}, remaining ${report.remaining}\n`);
    if (report.remaining === 0 || report.resumeAfter === null) return total;
    if (report.submitted + report.alreadyPresent + report.rejected === 0) {
      process.stderr.write(`stopped: no statement of run ${total.runs} got an answer from the database (${report.failed} failed); run the command again later\n`);
      return total;
    }
  }
}

/**
 * The platform's Transparency Database API token: from `--token-file` or VIGIE_TDB_TOKEN, never
 * from the command line itself (it would show in process lists and shell history).
 */
function databaseToken(parsed: ParsedArguments): string | undefined {
  const file = parsed.options['token-file'];
  if (file === true) throw new UsageError('--token-file needs a value');
  let token: string | undefined;
  if (typeof file === 'string') {
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new UsageError(`cannot read the token file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  } else if (process.env.VIGIE_TDB_TOKEN) {
    token = process.env.VIGIE_TDB_TOKEN.trim();
  }
  if (token === undefined) return undefined;
  if (token === '') throw new UsageError('the Transparency Database token is empty');
  if (typeof parsed.options.platform !== 'string') throw new UsageError("a Transparency Database token files statements under one platform's account: add --platform <id>");
  return token;
}

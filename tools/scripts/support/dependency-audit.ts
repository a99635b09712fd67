import { spawn } from 'node:child_process';
import type { StepResult } from './run-step';

/** What `npm run audit:deps` and the `npm test` step run: the production dependencies only. */
export const AUDIT_ARGS = ['audit', '--omit=dev', '--audit-level=high'] as const;
const BLOCKING = new Set(['high', 'critical']);

interface NpmAuditVulnerability {
  name: string;
  severity: string;
  range?: string;
  via: (string | { title?: string; url?: string; severity?: string })[];
  fixAvailable?: boolean | { name: string; version: string };
}

export type AuditOutcome =
  | { kind: 'report'; blocking: { name: string; severity: string; range: string; advisories: string[]; fix: string }[]; counts: Record<string, number> }
  | { kind: 'unavailable'; reason: string };

/** Reads `npm audit --json`: the report, or why there is none (the advisory endpoint did not answer). */
export function readAuditOutput(stdout: string): AuditOutcome {
  let parsed: { vulnerabilities?: Record<string, NpmAuditVulnerability>; metadata?: { vulnerabilities?: Record<string, number> }; message?: string; error?: { summary?: string } };
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return { kind: 'unavailable', reason: `npm audit printed no JSON report (${stdout.trim().slice(0, 200) || 'nothing'})` };
  }
  if (!parsed.vulnerabilities) {
    return { kind: 'unavailable', reason: parsed.message ?? parsed.error?.summary ?? 'npm audit returned no report' };
  }
  const blocking = Object.values(parsed.vulnerabilities)
    .filter((entry) => BLOCKING.has(entry.severity))
    .map((entry) => ({
      name: entry.name,
      severity: entry.severity,
      range: entry.range ?? '*',
      advisories: entry.via.map((via) => (typeof via === 'string' ? `through ${via}` : `${via.title ?? 'advisory'}${via.url ? ` (${via.url})` : ''}`)),
      fix:
        entry.fixAvailable === true
          ? 'npm audit fix'
          : entry.fixAvailable && typeof entry.fixAvailable === 'object'
            ? `upgrade ${entry.fixAvailable.name} to ${entry.fixAvailable.version}`
            : 'no fix published: override the package in package.json or replace it',
    }));
  return { kind: 'report', blocking, counts: parsed.metadata?.vulnerabilities ?? {} };
}

function runNpmAudit(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', [...AUDIT_ARGS, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.on('error', reject);
    // npm exits 1 both for findings and for errors: the JSON tells which.
    child.on('close', () => resolve(stdout));
  });
}

/**
 * `npm audit --omit=dev --audit-level=high` over the production dependency tree: fails on any
 * high or critical advisory, naming the package, the advisory and the fix. When the registry's
 * advisory endpoint does not answer (a mirror or proxy without it), nothing is known: that is
 * said loudly and fails only with `VIGIE_REQUIRE_AUDIT=1` (for a CI that must not land unaudited).
 */
export async function auditDependencies(name = 'dependency audit'): Promise<StepResult> {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  console.log(`\nvigie ▸ ${name}: npm ${AUDIT_ARGS.join(' ')}`);
  let outcome: AuditOutcome;
  try {
    outcome = readAuditOutput(await runNpmAudit());
  } catch (error) {
    outcome = { kind: 'unavailable', reason: (error as Error).message };
  }
  if (outcome.kind === 'unavailable') {
    const required = process.env.VIGIE_REQUIRE_AUDIT === '1';
    console.warn(`vigie ▸ ${name}: NOT CHECKED — the advisory database could not be queried: ${outcome.reason}${required ? '' : ' (set VIGIE_REQUIRE_AUDIT=1 to fail on this)'}`);
    return { name, ok: !required, seconds: seconds() };
  }
  const summary = Object.entries(outcome.counts).filter(([severity, count]) => severity !== 'total' && count > 0).map(([severity, count]) => `${count} ${severity}`);
  for (const entry of outcome.blocking) {
    console.error(`vigie ▸ ${name}: ${entry.severity.toUpperCase()} ${entry.name} ${entry.range}: ${entry.advisories.join('; ')} — ${entry.fix}`);
  }
  const ok = outcome.blocking.length === 0;
  console.log(`vigie ▸ ${name}: ${ok ? 'ok' : 'failed'}: ${summary.length > 0 ? summary.join(', ') : 'no known vulnerability'} in the production dependencies`);
  return { name, ok, seconds: seconds() };
}

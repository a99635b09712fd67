// `vigie audit …` commands of the tamper-evident log: signing keys, `verify` and offline
// evidence-bundle checks.
//
//   npm run vigie -- audit keys generate [--key-file <pem>] [--force]
//   npm run vigie -- audit keys rotate [--key-file <pem>]
//   npm run vigie -- audit verify [--public-key <pem>] [--json]        (DATABASE_URL: reads the audit schema directly)
//   npm run vigie -- audit verify-bundle <bundle.json> --public-key <pem> [--json]
//
// `verify` reads the database directly (DATABASE_URL, read-only queries) rather than going
// through the API, so the progress bar is local and a regulator can run it on a replica.
import { generateSigningKeyPair, loadSigningKey, verifyEvidenceBundle, type EvidenceBundle } from '@vigie/audit-chain';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Pool } from 'pg';
import { verifyAuditLog } from '../../apps/audit/src/verification/services/log-verifier';
import { UsageError, type ParsedArguments } from './cli-arguments';
import { progressReporter } from './progress-bar';

export const AUDIT_LOG_HELP = `
Audit log (tamper evidence):
  audit keys generate [--key-file <pem>] [--force] write a new Ed25519 checkpoint signing key (private PEM, mode 600,
                                                   and <pem>.pub); default AUDIT_SIGNING_KEY_FILE or .cache/audit/signing-key.pem
  audit keys rotate [--key-file <pem>]             keep the current key as <pem>.<keyId>.retired and write a new one;
                                                   restart the audit service to sign with it (GET /keys lists both)
  audit verify [--public-key <pem>]                walk the whole log (DATABASE_URL) with a progress bar; exit 2 when tampered
  audit verify-bundle <file> --public-key <pem>    check a case's evidence bundle offline; exit 2 when it fails
`;

const AUDIT_LOG_ACTIONS = new Set(['keys', 'verify', 'verify-bundle']);

/** Whether `vigie audit <action>` is one of these commands (the audit's report commands live elsewhere). */
export function isAuditLogCommand(action: string | undefined): boolean {
  return action !== undefined && AUDIT_LOG_ACTIONS.has(action);
}

/** A failed check is an answer, not an error: printed to stdout, exit code 2. */
function failCheck(text: string): Promise<never> {
  return new Promise(() => process.stdout.write(`${text}\n`, () => process.exit(2)));
}

export async function runAuditLogCommand(parsed: ParsedArguments): Promise<string> {
  if (parsed.options.help) return AUDIT_LOG_HELP.trim();
  const [, action, ...rest] = parsed.positional;
  const json = parsed.options.json === true;
  switch (action) {
    case 'keys':
      return runKeys(parsed, rest[0]);
    case 'verify':
      return runVerify(parsed, json);
    case 'verify-bundle':
      return runVerifyBundle(parsed, rest[0], json);
    default:
      throw new UsageError(`unknown audit command "${action}"`);
  }
}

function keyFileOf(parsed: ParsedArguments): string {
  const option = parsed.options['key-file'];
  if (option === true) throw new UsageError('--key-file needs a path');
  return option ?? process.env.AUDIT_SIGNING_KEY_FILE ?? '.cache/audit/signing-key.pem';
}

function writeKey(file: string): string {
  const pair = generateSigningKeyPair();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, pair.privateKeyPem, { mode: 0o600 });
  chmodSync(file, 0o600);
  writeFileSync(`${file}.pub`, pair.publicKeyPem);
  return pair.keyId;
}

function runKeys(parsed: ParsedArguments, verb: string | undefined): string {
  const file = keyFileOf(parsed);
  if (verb === 'generate') {
    if (existsSync(file) && parsed.options.force !== true) {
      throw new UsageError(`${file} exists: use "audit keys rotate" (or --force to overwrite it and lose the key)`);
    }
    const keyId = writeKey(file);
    return `wrote ${file} (private, keep it secret) and ${file}.pub\nkey id ${keyId}`;
  }
  if (verb === 'rotate') {
    if (!existsSync(file)) throw new UsageError(`${file} does not exist: use "audit keys generate"`);
    const old = loadSigningKey(readFileSync(file, 'utf8'));
    const retired = `${file}.${old.keyId.slice(0, 16)}.retired`;
    renameSync(file, retired);
    const keyId = writeKey(file);
    return [
      `retired key ${old.keyId} → ${retired}`,
      `new key ${keyId} → ${file}`,
      'restart the audit service to sign with the new key; GET /keys keeps publishing the old one for past checkpoints',
    ].join('\n');
  }
  throw new UsageError('expected audit keys generate or rotate');
}

async function runVerify(parsed: ParsedArguments, json: boolean): Promise<string> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new UsageError('DATABASE_URL is not set: audit verify reads the audit schema directly');
  const publicKeyFile = parsed.options['public-key'];
  let publicKeys: Map<string, string> | undefined;
  if (typeof publicKeyFile === 'string') {
    const pem = readFileSync(publicKeyFile, 'utf8');
    const { keyIdOf } = await import('@vigie/audit-chain');
    publicKeys = new Map([[keyIdOf(pem), pem]]);
  }
  const pool = new Pool({ connectionString: url, max: 2, application_name: 'vigie-audit-verify' });
  const progress = progressReporter('records');
  try {
    const report = await verifyAuditLog(async (sql, params) => (await pool.query(sql, params)).rows, {
      publicKeys,
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.finish();
    const text = json
      ? JSON.stringify(report, null, 2)
      : [
          `${report.records} records in ${report.subjects} chains verified in ${report.durationMs} ms (${report.recordsPerSec}/s)`,
          ...report.checkpoints.map(
            (c) => `checkpoint ${c.tenant} #${c.sequence}: signature ${c.signatureValid ? 'valid' : 'INVALID'}, heads ${c.rootMatches ? 'match' : 'DO NOT MATCH'}`,
          ),
          ...report.findings.map((f) => `${f.kind.toUpperCase()} ${f.subject}${f.seq !== undefined ? ` seq ${f.seq}` : ''}: ${f.detail}`),
          report.findingCount > report.findings.length ? `… and ${report.findingCount - report.findings.length} more findings` : '',
          report.ok ? 'OK: the log is intact' : `TAMPERED: ${report.findingCount} finding(s)`,
        ].filter(Boolean).join('\n');
    if (!report.ok) return failCheck(text);
    return text;
  } finally {
    await pool.end();
  }
}

function runVerifyBundle(parsed: ParsedArguments, file: string | undefined, json: boolean): Promise<string> | string {
  if (!file) throw new UsageError('audit verify-bundle needs the bundle file');
  const keyFile = parsed.options['public-key'];
  if (typeof keyFile !== 'string') throw new UsageError('--public-key <pem> is required (GET /keys on the audit service publishes it)');
  const bundle = JSON.parse(readFileSync(file, 'utf8')) as EvidenceBundle;
  const result = verifyEvidenceBundle(bundle, readFileSync(keyFile, 'utf8'));
  const text = json
    ? JSON.stringify(result, null, 2)
    : [
        `case ${bundle.caseId} (${bundle.tenant}), checkpoint #${bundle.checkpoint?.data?.sequence} signed by ${bundle.keyId}`,
        ...result.coverage.map((c) => `  ${c.subject}: ${c.records} records, covered by the checkpoint through seq ${c.coveredThroughSeq}`),
        ...result.problems.map((problem) => `  PROBLEM: ${problem}`),
        result.valid ? 'VALID' : 'INVALID',
      ].join('\n');
  if (!result.valid) return failCheck(text);
  return text;
}

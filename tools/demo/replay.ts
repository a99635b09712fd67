// `npm run demo:replay`: imports a 30-day synthetic moderation log into a running Vigie (the one
// `npm start` runs, or the URLs in VIGIE_AUDIT_URL / VIGIE_INGEST_URL) through the historical
// import, then prints the SLA report of that history. Options: --days <n>, --per-day <n>,
// --platform <id> (default demo-history).
import { join } from 'node:path';
import { parseArguments } from '../cli/cli-arguments';
import { localSecrets } from '../scripts/support/local-secrets';
import { replayModerationHistory } from './replay-history';
import { describeSlaReport } from './scenario';

async function main(): Promise<number> {
  const parsed = parseArguments(process.argv.slice(2));
  const number = (name: string, fallback: number, max: number) => {
    const value = parsed.options[name];
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be an integer from 1 to ${max}`);
    return n;
  };
  const days = number('days', 30, 3650);
  const casesPerDay = number('per-day', 40, 100_000);
  const platformId = typeof parsed.options.platform === 'string' ? parsed.options.platform : 'demo-history';
  const root = process.cwd();
  const apiKey = process.env.VIGIE_API_KEY ?? localSecrets(root, process.env).ingestAdminApiKey;
  const ingestUrl = process.env.VIGIE_INGEST_URL ?? 'http://127.0.0.1:3001';
  const auditUrl = process.env.VIGIE_AUDIT_URL ?? 'http://127.0.0.1:3004';
  const log = (line: string) => console.log(`vigie ▸ ${line}`);

  const ready = await fetch(`${auditUrl}/ready`).then((r) => r.status, () => 0);
  if (ready !== 200) {
    console.error(`vigie ▸ the audit service does not answer at ${auditUrl}: start Vigie first (npm start, in another terminal), or set VIGIE_AUDIT_URL`);
    return 69;
  }
  const created = await fetch(`${ingestUrl}/admin/platforms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: platformId, name: 'Demo history (replayed moderation log)', integrationMode: 'http' }),
  }).then((r) => r.status, () => 0);
  if (created === 201) log(`registered platform ${platformId}`);
  else if (created !== 409) {
    console.error(`vigie ▸ could not register platform ${platformId} with ingest at ${ingestUrl} (status ${created}); is VIGIE_API_KEY an admin key?`);
    return created === 401 || created === 403 ? 77 : 1;
  }
  const result = await replayModerationHistory({
    auditUrl,
    apiKey,
    platformId,
    days,
    casesPerDay,
    directory: join(root, 'tmp', 'demo'),
    progress: true,
    log,
  });
  console.log(`\n${describeSlaReport(result.report)}`);
  console.log(`Full report: VIGIE_API_KEY=<key> npm run vigie -- audit report sla --platform ${platformId} --from ${result.from}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`vigie ▸ ${(error as Error).message}`);
    process.exit(1);
  },
);

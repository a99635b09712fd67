// `vigie` — the command line for operators: the platform registry of the ingest service
// (platforms and their API keys) and the keys of moderators, officers, trusted flaggers,
// authorities and regulators. It talks to ingest's admin API with an admin key.
//
//   npm run vigie -- platforms list
//   npm run vigie -- platforms create --id acme --name "Acme" [--mode http|kafka] [--webhook-url URL]
//
// Exit codes: 0 done, 1 refused by the service (the message says why), 64 usage error,
// 69 service unreachable, 77 missing or rejected credentials.
import { AUDIT_IMPORT_HELP, isAuditImportCommand, runAuditImportCommand } from './audit-import-commands';
import { AUDIT_LOG_HELP, isAuditLogCommand, runAuditLogCommand } from './audit-log-commands';
import { AUDIT_REPORT_HELP, isAuditReportCommand, runAuditReportCommand } from './audit-report-commands';
import { parseArguments, requireOption, UsageError, type ParsedArguments } from './cli-arguments';
import { CliApiError, callServiceJson, INGEST } from './api-client';
import { HASH_LIST_HELP, runHashListCommand } from './hash-list-commands';

const help = `usage: vigie <command> [options]

Platform registry (ingest admin API):
  platforms list                                   list platforms and their keys
  platforms show <platformId>                      one platform
  platforms create --id <id> --name <name>         register a platform; prints its first API key
                   [--mode http|kafka] [--webhook-url <url>]   (and webhook secret) once
  platforms keys create <platformId> --label <l>   issue another API key (printed once)
  platforms keys revoke <platformId> <keyId>       revoke a key

People and organisations (keys for notice-and-takedown):
  keys list                                        every non-platform key (never the keys themselves)
  keys create --role <role> --principal <id>       issue a key (printed once); role: moderator, officer,
              --label <l> [--platform <id>]         trusted-flagger, authority, regulator, admin;
                                                   --platform binds a moderator or officer to one platform
  keys revoke <keyId>                              revoke a key
${HASH_LIST_HELP}${AUDIT_LOG_HELP}${AUDIT_REPORT_HELP}${AUDIT_IMPORT_HELP}
Options:
  --json          print the raw JSON answer
  --help          this help

Environment:
  VIGIE_INGEST_URL   ingest base URL (default http://127.0.0.1:3001)
  VIGIE_SCORING_URL  scoring base URL (default http://127.0.0.1:3002), for hash lists
  VIGIE_AUDIT_URL    audit base URL (default http://127.0.0.1:3004)
  VIGIE_API_KEY      an admin API key (e.g. the value of INGEST_ADMIN_API_KEY); audit reports also
                     take an officer or regulator key
  DATABASE_URL       the database audit verify reads
`;

const call = (method: string, path: string, body?: unknown) => callServiceJson(INGEST, method, path, body);

interface PlatformView {
  id: string;
  name: string;
  integrationMode: string;
  webhookUrl: string | null;
  apiKeys: { id: string; label: string; revokedAt: string | null }[];
}

function describePlatform(platform: PlatformView): string {
  const keys = platform.apiKeys.map((key) => `    key ${key.id}  ${key.label}${key.revokedAt ? `  (revoked ${key.revokedAt})` : ''}`);
  return [`${platform.id}  ${platform.name}  mode=${platform.integrationMode}  webhook=${platform.webhookUrl ?? '-'}`, ...keys].join('\n');
}

async function run(parsed: ParsedArguments): Promise<string> {
  const [area, action, ...rest] = parsed.positional;
  const json = parsed.options.json === true;
  const print = (value: unknown, text: () => string) => (json ? JSON.stringify(value, null, 2) : text());
  const id = (value: string | undefined, what: string) => {
    if (!value) throw new UsageError(`${what} is required`);
    return encodeURIComponent(value);
  };
  if (area === 'hash-lists') return runHashListCommand(parsed);
  if (area === 'audit' && isAuditLogCommand(action)) return runAuditLogCommand(parsed);
  if (area === 'audit' && isAuditReportCommand(action)) return runAuditReportCommand(parsed);
  if (area === 'audit' && isAuditImportCommand(action)) return runAuditImportCommand(parsed);
  if (area === 'keys') return runKeys(parsed, action, rest, print, id);
  if (area !== 'platforms') throw new UsageError(area ? `unknown command "${area}"` : 'no command given');
  switch (action) {
    case 'list': {
      const platforms = (await call('GET', '/admin/platforms')) as PlatformView[];
      return print(platforms, () => (platforms.length === 0 ? 'no platforms registered' : platforms.map(describePlatform).join('\n')));
    }
    case 'show': {
      const platform = (await call('GET', `/admin/platforms/${id(rest[0], '<platformId>')}`)) as PlatformView;
      return print(platform, () => describePlatform(platform));
    }
    case 'create': {
      const mode = (parsed.options.mode as string | undefined) ?? 'http';
      if (mode !== 'http' && mode !== 'kafka') throw new UsageError('--mode must be http or kafka');
      const webhookUrl = parsed.options['webhook-url'];
      const created = (await call('POST', '/admin/platforms', {
        id: requireOption(parsed, 'id'),
        name: requireOption(parsed, 'name'),
        integrationMode: mode,
        ...(typeof webhookUrl === 'string' ? { webhookUrl } : {}),
      })) as { platform: PlatformView; apiKey: string; webhookSecret: string | null };
      return print(created, () =>
        [
          describePlatform(created.platform),
          `API key (shown once, store it now): ${created.apiKey}`,
          ...(created.webhookSecret ? [`webhook signing secret (shown once): ${created.webhookSecret}`] : []),
        ].join('\n'),
      );
    }
    case 'keys': {
      const [keyAction, platformId, keyId] = rest;
      if (keyAction === 'create') {
        const created = (await call('POST', `/admin/platforms/${id(platformId, '<platformId>')}/api-keys`, {
          label: requireOption(parsed, 'label'),
        })) as { id: string; apiKey: string };
        return print(created, () => `key ${created.id}\nAPI key (shown once, store it now): ${created.apiKey}`);
      }
      if (keyAction === 'revoke') {
        await call('DELETE', `/admin/platforms/${id(platformId, '<platformId>')}/api-keys/${id(keyId, '<keyId>')}`);
        return print({ revoked: keyId }, () => `revoked key ${keyId}`);
      }
      throw new UsageError('expected "keys create" or "keys revoke"');
    }
    default:
      throw new UsageError(action ? `unknown platforms command "${action}"` : 'expected list, show, create or keys');
  }
}

interface PrincipalKeyView {
  id: string;
  role: string;
  principalId: string | null;
  platformId: string | null;
  label: string;
  revokedAt: string | null;
}

const describeKey = (key: PrincipalKeyView) =>
  `${key.id}  ${key.role.padEnd(15)} ${key.principalId ?? '-'}  platform=${key.platformId ?? '*'}  ${key.label}${key.revokedAt ? `  (revoked ${key.revokedAt})` : ''}`;

async function runKeys(
  parsed: ParsedArguments,
  action: string | undefined,
  rest: string[],
  print: (value: unknown, text: () => string) => string,
  id: (value: string | undefined, what: string) => string,
): Promise<string> {
  switch (action) {
    case 'list': {
      const keys = (await call('GET', '/admin/keys')) as PrincipalKeyView[];
      return print(keys, () => (keys.length === 0 ? 'no keys issued' : keys.map(describeKey).join('\n')));
    }
    case 'create': {
      const platform = parsed.options.platform;
      const created = (await call('POST', '/admin/keys', {
        role: requireOption(parsed, 'role'),
        principalId: requireOption(parsed, 'principal'),
        label: requireOption(parsed, 'label'),
        ...(typeof platform === 'string' ? { platformId: platform } : {}),
      })) as { key: PrincipalKeyView; apiKey: string };
      return print(created, () => `${describeKey(created.key)}\nAPI key (shown once, store it now): ${created.apiKey}`);
    }
    case 'revoke': {
      await call('DELETE', `/admin/keys/${id(rest[0], '<keyId>')}`);
      return print({ revoked: rest[0] }, () => `revoked key ${rest[0]}`);
    }
    default:
      throw new UsageError(action ? `unknown keys command "${action}"` : 'expected keys list, create or revoke');
  }
}

async function main(): Promise<number> {
  let parsed: ParsedArguments;
  try {
    parsed = parseArguments(process.argv.slice(2));
    if (parsed.options.help || parsed.positional.length === 0) {
      process.stdout.write(help);
      return parsed.options.help ? 0 : 64;
    }
    process.stdout.write(`${await run(parsed)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`vigie: ${error.message}\n\n${help}`);
      return 64;
    }
    if (error instanceof CliApiError) {
      process.stderr.write(`vigie: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`vigie: ${(error as Error).stack ?? error}\n`);
    return 1;
  }
}

main().then((code) => process.exit(code));

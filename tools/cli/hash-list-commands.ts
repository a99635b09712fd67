// `vigie hash-lists …`: known-image PDQ hash lists for scoring (admin key).
//
//   npm run vigie -- hash-lists import <file> --list-id <id> --source <who> --version <v>
//   npm run vigie -- hash-lists withdraw <file> --list-id <id>
//   npm run vigie -- hash-lists delete --list-id <id>
//   npm run vigie -- hash-lists list
import { readFileSync } from 'node:fs';
import { callServiceJson, SCORING } from './api-client';
import { requireOption, UsageError, type ParsedArguments } from './cli-arguments';

export const HASH_LIST_HELP = `
Known-image hash lists (scoring admin API):
  hash-lists import <file> --list-id <id> --source <who> --version <v>
                                                   import PDQ hashes: one per line, "<64 hex>[,<quality 0-100>]";
                                                   sent in requests of 40,000 with progress
  hash-lists withdraw <file> --list-id <id>        withdraw the file's hashes from a list (its publisher took them
                                                   back): never matched again; same file format
  hash-lists delete --list-id <id>                 delete a list and all its hashes
  hash-lists list                                  imported lists
`;

/**
 * Hashes per request: 40,000 of the largest entry, `{"pdq":"<64 hex>","quality":100}`, make about
 * 3.5 MB of JSON, inside the services' default body limit of 5 MiB (HTTP_BODY_LIMIT_BYTES). The
 * API takes up to 100,000, which only a raised limit lets through.
 */
export const HASHES_PER_REQUEST = 40_000;
const PDQ = /^[0-9a-fA-F]{64}$/;

export interface HashLine {
  pdq: string;
  quality?: number;
}

/** Parses a hash file; every bad line is named, none is silently dropped. */
export function parseHashFile(text: string): { hashes: HashLine[]; errors: string[] } {
  const hashes: HashLine[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [pdq, quality, extra] = line.split(',').map((part) => part.trim());
    if (!pdq || !PDQ.test(pdq) || extra !== undefined) {
      errors.push(`line ${index + 1}: expected "<64 hex characters>[,<quality>]"`);
      return;
    }
    if (quality === undefined || quality === '') return void hashes.push({ pdq: pdq.toLowerCase() });
    const value = Number(quality);
    if (!Number.isInteger(value) || value < 0 || value > 100) {
      errors.push(`line ${index + 1}: quality must be an integer from 0 to 100`);
      return;
    }
    hashes.push({ pdq: pdq.toLowerCase(), quality: value });
  });
  return { hashes, errors };
}

const call = (method: string, path: string, body?: unknown) => callServiceJson(SCORING, method, path, body);

export async function runHashListCommand(parsed: ParsedArguments): Promise<string> {
  const [, action, file] = parsed.positional;
  if (parsed.options.help) return HASH_LIST_HELP.trim();
  if (action === 'list') return JSON.stringify(await call('GET', '/admin/hash-lists'), null, 2);
  if (action === 'delete') {
    const listId = requireOption(parsed, 'list-id');
    const { withdrawn } = (await call('DELETE', `/admin/hash-lists/${encodeURIComponent(listId)}`)) as { withdrawn: number };
    return `deleted list ${listId} and its ${withdrawn} hashes`;
  }
  if (action !== 'import' && action !== 'withdraw') throw new UsageError('expected hash-lists import, withdraw, delete or list');
  if (!file) throw new UsageError(`hash-lists ${action} needs a <file>`);
  const listId = requireOption(parsed, 'list-id');
  const meta = action === 'import' ? { listId, source: requireOption(parsed, 'source'), version: requireOption(parsed, 'version') } : null;
  const { hashes, errors } = parseHashFile(readFileSync(file, 'utf8'));
  if (errors.length > 0) throw new UsageError(`${file} has ${errors.length} bad line(s):\n  ${errors.slice(0, 20).join('\n  ')}`);
  if (hashes.length === 0) throw new UsageError(`${file} holds no hashes`);
  let withdrawn = 0;
  for (let start = 0; start < hashes.length; start += HASHES_PER_REQUEST) {
    const part = hashes.slice(start, start + HASHES_PER_REQUEST);
    if (meta) await call('POST', '/admin/hash-lists', { ...meta, hashes: part });
    else withdrawn += ((await call('POST', `/admin/hash-lists/${encodeURIComponent(listId)}/withdrawals`, { hashes: part.map((hash) => hash.pdq) })) as { withdrawn: number }).withdrawn;
    const done = Math.min(hashes.length, start + HASHES_PER_REQUEST);
    const width = 30;
    const filled = Math.round((done / hashes.length) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${hashes.length} hashes`);
  }
  process.stderr.write('\n');
  if (meta) return `imported ${hashes.length} hashes into list ${listId} (version ${meta.version})`;
  return `withdrew ${withdrawn} of ${hashes.length} hashes from list ${listId}`;
}

/**
 * Writes docs/asyncapi.json from the event contracts. With `--check`, writes nothing and exits
 * 1 when the committed document is not what the contracts produce (CI runs this).
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register tools/scripts/generate-asyncapi.ts [--check]
 */
import { buildAsyncApiDocument } from '@vigie/contracts';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const documentPath = resolve(__dirname, '../../docs/asyncapi.json');

/** Keys sorted at every level, so the file only changes when the contracts do. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function main(argv: readonly string[]): number {
  const expected = `${JSON.stringify(sortKeys(buildAsyncApiDocument()), null, 2)}\n`;
  const displayPath = relative(process.cwd(), documentPath);

  if (argv.includes('--check')) {
    const actual = existsSync(documentPath) ? readFileSync(documentPath, 'utf8') : undefined;
    if (actual === expected) {
      console.log(`${displayPath} is up to date.`);
      return 0;
    }
    console.error(
      `${displayPath} is ${actual === undefined ? 'missing' : 'out of date'}: run tools/scripts/generate-asyncapi.ts without --check.`,
    );
    return 1;
  }

  mkdirSync(dirname(documentPath), { recursive: true });
  writeFileSync(documentPath, expected);
  console.log(`Wrote ${displayPath}.`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));

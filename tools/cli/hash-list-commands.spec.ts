import { HASHES_PER_REQUEST, parseHashFile } from './hash-list-commands';

const hash = 'a'.repeat(64);

describe('parseHashFile', () => {
  it('reads hashes with optional quality, skipping blank lines and comments', () => {
    expect(parseHashFile(`# list\n${hash}\n\n${hash.toUpperCase()},80\n`)).toEqual({
      hashes: [{ pdq: hash }, { pdq: hash, quality: 80 }],
      errors: [],
    });
  });

  it('names every bad line', () => {
    const { errors } = parseHashFile(`${hash}\nnot-a-hash\n${hash},101\n${hash},1,2`);
    expect(errors).toEqual([
      'line 2: expected "<64 hex characters>[,<quality>]"',
      'line 3: quality must be an integer from 0 to 100',
      'line 4: expected "<64 hex characters>[,<quality>]"',
    ]);
  });
});

describe('hash-list import requests', () => {
  it('stay inside the default 5 MiB body limit with the largest entries and metadata', () => {
    const body = JSON.stringify({
      listId: 'l'.repeat(100),
      source: 's'.repeat(200),
      version: 'v'.repeat(64),
      hashes: Array.from({ length: HASHES_PER_REQUEST }, () => ({ pdq: 'f'.repeat(64), quality: 100 })),
    });
    expect(Buffer.byteLength(body)).toBeLessThan(5 * 1024 * 1024);
  });
});

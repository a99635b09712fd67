import { parseHashFile } from './hash-list-commands';

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

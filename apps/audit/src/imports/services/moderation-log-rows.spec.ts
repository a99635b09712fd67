import { checkCsvHeader, csvRecordToRaw, parseModerationLogRow } from './moderation-log-rows';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const parse = (raw: Record<string, unknown>) => parseModerationLogRow(raw, 7, 8, NOW);

describe('parseModerationLogRow', () => {
  it('normalises timestamps to UTC and fills the defaults', () => {
    const result = parse({
      adId: 'ad-1',
      category: 'pimping',
      noticeReceivedAt: '2026-10-01T10:00:00+02:00',
      decidedAt: '2026-10-02T09:00:00Z',
      decision: 'remove',
      removedAt: '2026-10-02 10:30Z',
    });
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({
        row: 7,
        noticeReceivedAt: '2026-10-01T08:00:00.000Z',
        knowledgeAt: '2026-10-01T08:00:00.000Z',
        noticeSource: 'public',
        notifierInformedAt: '2026-10-02T09:00:00.000Z',
        removedAt: '2026-10-02T10:30:00.000Z',
        reference: null,
      }),
    });
  });

  it('lists every problem of a row with its field', () => {
    const result = parse({
      adId: 'bad id with spaces',
      category: 'spam',
      noticeReceivedAt: '2026-10-01 10:00',
      decidedAt: '2030-01-01T00:00:00Z',
      extra: 'x',
    });
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.errors.map((error) => error.field);
    expect(fields).toEqual(expect.arrayContaining(['extra', 'adId', 'category', 'noticeReceivedAt', 'decidedAt']));
    if (!result.ok) expect(result.errors.every((error) => error.row === 7 && error.line === 8)).toBe(true);
  });

  it('refuses a row without a clock start, a decision without a time, and times out of order', () => {
    const fieldsOf = (raw: Record<string, unknown>) => {
      const result = parse({ adId: 'a', category: 'minors', ...raw });
      return result.ok ? [] : result.errors.map((error) => `${error.field}: ${error.reason}`);
    };
    expect(fieldsOf({})).toEqual([expect.stringMatching(/^noticeReceivedAt: noticeReceivedAt or knowledgeAt is required/)]);
    expect(fieldsOf({ knowledgeAt: '2026-10-01T00:00:00Z', decision: 'remove' })).toEqual([expect.stringMatching(/^decidedAt: /)]);
    expect(fieldsOf({ noticeReceivedAt: '2026-10-02T00:00:00Z', decidedAt: '2026-10-01T00:00:00Z', decision: 'remove' })).toEqual([
      expect.stringMatching(/^decidedAt: before the notice/),
    ]);
    expect(fieldsOf({ knowledgeAt: '2026-10-01T00:00:00Z', publishedAt: '2026-10-03T00:00:00Z', removedAt: '2026-10-02T00:00:00Z' })).toEqual([
      expect.stringMatching(/^removedAt: before the ad was published/),
    ]);
    expect(fieldsOf({ knowledgeAt: '2026-10-01T00:00:00Z', noticeSource: 'public' })).toEqual([expect.stringMatching(/^noticeReceivedAt: required with noticeSource/)]);
    expect(fieldsOf({ knowledgeAt: 12 })).toEqual([expect.stringMatching(/^knowledgeAt: must be a string/)]);
  });
});

describe('CSV header and records', () => {
  it('accepts known columns and needs adId and category', () => {
    expect(checkCsvHeader(['adId', 'category', 'noticeReceivedAt'])).toBeNull();
    expect(checkCsvHeader(['adId', 'noticeReceivedAt'])).toMatch(/no category/);
    expect(checkCsvHeader(['adId', 'category', 'adId'])).toMatch(/twice/);
    expect(checkCsvHeader(['adId', 'category', 'price'])).toMatch(/unknown column/);
  });

  it('maps fields by header, empty cells as absent, and refuses a wrong field count', () => {
    expect(csvRecordToRaw(['adId', 'category', 'reference'], ['a', 'pimping', ''])).toEqual({ adId: 'a', category: 'pimping' });
    expect(csvRecordToRaw(['adId', 'category'], ['a'])).toEqual({ error: '1 fields where the header has 2' });
  });
});

import { EVENT_DEFINITIONS } from '@vigie/contracts';
import { checkSubmittedAd } from './submitted-ad-validation';

const example = EVENT_DEFINITIONS.find((d) => d.type === 'ad.submitted')?.example.data as Record<string, unknown>;
const limits = { receivedAt: new Date('2026-11-23T08:00:00.000Z'), maxFutureSkewMs: 5 * 60 * 1000 };

describe('checkSubmittedAd', () => {
  it('accepts the contract example', () => {
    expect(checkSubmittedAd(example, limits)).toMatchObject({ ok: true });
  });

  it('names the field and the reason for a wrong type, a missing field and an unknown field', () => {
    const { title: _title, ...withoutTitle } = example;
    const result = checkSubmittedAd({ ...withoutTitle, price: '150', extra: 1 }, limits);
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.problems.map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['/title', '/price']));
  });

  it('rejects oversized text', () => {
    const result = checkSubmittedAd({ ...example, body: 'x'.repeat(20001) }, limits);
    expect(result).toEqual({ ok: false, problems: [expect.objectContaining({ field: '/body' })] });
  });

  it('rejects timestamps beyond the clock-skew tolerance, and updates before publication', () => {
    const result = checkSubmittedAd(
      { ...example, publishedAt: '2026-11-23T09:00:00.000Z', updatedAt: '2026-11-23T08:59:00.000Z' },
      limits,
    );
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual([
      { field: '/publishedAt', reason: expect.stringContaining('3600 s in the future') },
      { field: '/updatedAt', reason: expect.stringContaining('in the future') },
      { field: '/updatedAt', reason: 'is earlier than publishedAt' },
    ]);
    expect(checkSubmittedAd({ ...example, publishedAt: '2026-11-23T08:04:00.000Z', updatedAt: '2026-11-23T08:04:00.000Z' }, limits).ok).toBe(true);
  });
});

import { EVENT_DEFINITIONS, validateEventData } from '@vigie/contracts';
import { prepareSubmittedAd } from './submitted-ad-preparation';

const example = EVENT_DEFINITIONS.find((d) => d.type === 'ad.submitted')?.example.data as Record<string, unknown>;
const limits = { receivedAt: new Date('2026-11-23T08:00:00.000Z'), maxFutureSkewMs: 5 * 60 * 1000 };

describe('prepareSubmittedAd', () => {
  it('returns a normalised ad that still meets the ad contract', () => {
    const prepared = prepareSubmittedAd({ ...example, title: '  Nouvelle   <b>en</b> ville ' }, limits);
    expect(prepared.ok).toBe(true);
    if (!prepared.ok) return;
    expect(prepared.normalised.ad.title).toBe('Nouvelle en ville');
    expect(validateEventData('ad.submitted', prepared.normalised.ad).ok).toBe(true);
  });

  it('refuses what the submitted fields check refuses, with the same problems', () => {
    const prepared = prepareSubmittedAd({ ...example, body: 'x'.repeat(20001) }, limits);
    expect(prepared).toEqual({ ok: false, problems: [expect.objectContaining({ field: '/body' })] });
  });

  it('refuses an ad that normalisation pushes past a limit, naming the field', () => {
    // U+FDFA is one character that NFKC expands to eighteen: valid as sent, too long once normalised.
    const expanding = prepareSubmittedAd({ ...example, title: '\uFDFA'.repeat(20) }, limits);
    expect(expanding).toEqual({ ok: false, problems: [{ field: '/title', reason: expect.stringContaining('after normalisation') }] });
    // A poster id of blanks is present as sent and empty once trimmed.
    const emptied = prepareSubmittedAd({ ...example, posterAccountId: '   ' }, limits);
    expect(emptied).toEqual({ ok: false, problems: [{ field: '/posterAccountId', reason: expect.stringContaining('after normalisation') }] });
  });
});

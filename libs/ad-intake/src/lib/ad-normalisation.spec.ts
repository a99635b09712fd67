import type { Ad } from '@vigie/contracts';
import { canonicalJson, changedFields, normaliseAd } from './ad-normalisation';

const ad: Ad = {
  platformAdId: 'a-1',
  url: 'https://annonces.example/a-1',
  category: 'Massages',
  title: 'Massage  <b>relaxant</b>',
  body: 'Cabinet\u200B ouvert',
  price: { amount: 60, currency: 'EUR' },
  location: { city: 'Lyon', postcode: '69003', country: 'FR' },
  contacts: { phones: ['06 39 98 12 34', '+33 6 39 98 12 34'], emails: [' Contact@Example.org'], handles: ['Telegram : @Name'] },
  posterAccountId: 'acct-1',
  images: [{ pdq: 'F'.repeat(64), quality: 90 }],
  language: 'fr',
  publishedAt: '2026-11-20T10:00:00.000Z',
  updatedAt: '2026-11-20T10:00:00.000Z',
  status: 'live',
};

describe('normaliseAd', () => {
  it('normalises text and contacts and keeps the original text', () => {
    const result = normaliseAd(ad);
    expect(result.ad.title).toBe('Massage relaxant');
    expect(result.ad.body).toBe('Cabinet ouvert');
    expect(result.ad.category).toBe('massages');
    expect(result.ad.contacts).toEqual({ phones: ['+33639981234'], emails: ['contact@example.org'], handles: ['telegram:@name'] });
    expect(result.ad.images[0].pdq).toBe('f'.repeat(64));
    expect(result.originalText).toEqual({ title: 'Massage  <b>relaxant</b>', body: 'Cabinet\u200B ouvert' });
    expect(result.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same hash to the same content however it is written, and ignores timestamps', () => {
    const sameContent: Ad = {
      ...ad,
      title: 'Massage relaxant',
      body: 'Cabinet ouvert',
      contacts: { phones: ['+33639981234'], emails: ['contact@example.org'], handles: ['telegram:@name'] },
      updatedAt: '2026-11-21T10:00:00.000Z',
    };
    expect(normaliseAd(sameContent).contentHash).toBe(normaliseAd(ad).contentHash);
  });

  it('changes the hash and names the changed fields when content changes', () => {
    const before = normaliseAd(ad);
    const after = normaliseAd({ ...ad, body: 'Cabinet fermé', price: { amount: 70, currency: 'EUR' } });
    expect(after.contentHash).not.toBe(before.contentHash);
    expect(changedFields(before.fieldHashes, after.fieldHashes)).toEqual(['body', 'price']);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined, x: null }], c: 'é' } })).toBe(
      '{"a":{"c":"é","d":[2,{"x":null,"z":1}]},"b":1}',
    );
  });

  it('serialises exactly as the first implementation did, so stored content hashes stay valid', () => {
    // The first implementation, kept here as the reference.
    const reference = (value: unknown): string => {
      if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
      if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
    };
    const samples: unknown[] = [
      ad,
      normaliseAd(ad).ad,
      { 'é': 1, e: 2, E: 3, '10': 4, '9': 5, '': 6, 'a"b': 7, z: undefined },
      [undefined, null, 0, -0, 1.5e300, '\u2028', ['x', {}], []],
      { nested: { deeper: { list: [{ b: true, a: false }] } } },
      'plain',
      42,
      null,
      undefined,
    ];
    for (const sample of samples) expect(canonicalJson(sample)).toBe(reference(sample));
  });
});

describe('normaliseAd content hash', () => {
  it('is the same for an ad whatever the order of its keys', () => {
    const reversed = Object.fromEntries(Object.entries(ad).reverse()) as Ad;
    expect(normaliseAd(reversed).contentHash).toBe(normaliseAd(ad).contentHash);
  });

  it('is pinned: a change to normalisation or hashing would make every stored ad look changed', () => {
    expect(normaliseAd(ad).contentHash).toBe('4d99900362f71bdc71a8f9660f61950ec275c76427dcb98947a2462e5d9b042f');
  });
});

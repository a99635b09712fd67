import { assessAd } from '@vigie/risk';
import { FAMILIES, generateCorpus } from './corpus';
import { Random } from './prng';

describe('Random', () => {
  it('is deterministic per seed and uniform enough', () => {
    const a = new Random(42);
    const b = new Random(42);
    const draws = Array.from({ length: 1000 }, () => a.next());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(new Random(43).next()).not.toBe(draws[0]);
    const mean = Array.from({ length: 10_000 }, () => a.float()).reduce((x, y) => x + y, 0) / 10_000;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});

describe('generateCorpus', () => {
  const corpus = generateCorpus({ seed: 7, size: 1500 });

  it('is deterministic', () => {
    expect(generateCorpus({ seed: 7, size: 200 })).toEqual(generateCorpus({ seed: 7, size: 200 }));
    expect(generateCorpus({ seed: 8, size: 50 })).not.toEqual(generateCorpus({ seed: 7, size: 50 }));
  });

  it('orders the stream by posting time and gives every ad an id', () => {
    expect(corpus).toHaveLength(1500);
    for (let i = 1; i < corpus.length; i++) expect(corpus[i].postedAt).toBeGreaterThanOrEqual(corpus[i - 1].postedAt);
    expect(new Set(corpus.map((c) => c.id)).size).toBe(1500);
  });

  it('splits by template family, with every scenario on both sides', () => {
    for (const item of corpus) expect(item.split).toBe(FAMILIES[item.family].split);
    for (const split of ['train', 'held-out'] as const) {
      const scenarios = new Set(corpus.filter((c) => c.split === split).map((c) => c.scenario));
      expect([...scenarios].sort()).toEqual(['benign', 'independent', 'minor', 'organised', 'ring', 'single-strong', 'touring']);
    }
  });

  it('labels bands by scenario and keeps benign ads free of indicators', () => {
    for (const item of corpus) {
      if (item.scenario === 'benign') expect(item).toMatchObject({ truthBand: 'low', indicators: [] });
      if (item.scenario === 'minor') expect(item.indicators).toContain('stated-minor');
      if (item.movementOnly) expect(item.indicators).toContain('movement');
    }
  });

  it('posts each ring with shared phone numbers under several names and cities', () => {
    const rings = new Map<string, typeof corpus>();
    for (const item of corpus) if (item.ringId) rings.set(item.ringId, [...(rings.get(item.ringId) ?? []), item]);
    expect(rings.size).toBeGreaterThan(5);
    for (const ads of rings.values()) {
      const phones = new Set(ads.map((a) => assessAd(a.ad, { referenceDate: new Date(a.postedAt) }).contacts.find((c) => c.kind === 'phone')?.value));
      expect(phones.size).toBeLessThan(ads.length);
      expect(Math.max(...ads.map((a) => a.postedAt)) - Math.min(...ads.map((a) => a.postedAt))).toBeLessThan(7 * 86_400_000);
    }
  });

  it('writes non-explicit text in French and English', () => {
    const languages = new Set(corpus.map((c) => c.ad.language));
    expect([...languages].sort()).toEqual(['en', 'fr']);
  });
});

import { TemplateIndex } from './template-index';

const TEMPLATE =
  'Bonjour messieurs, je suis {name}, nouvelle à {city} pour quelques jours seulement. Douce, souriante et discrète, je vous reçois dans un appartement privé et propre près de la gare. Massage relaxant et moment de détente garantis. Appelez-moi, pas de numéro masqué, pas de SMS.';

function ad(name: string, city: string): string {
  return TEMPLATE.replace('{name}', name).replace('{city}', city);
}

describe('TemplateIndex', () => {
  it('clusters near-duplicates and counts their distinct contacts', () => {
    const index = new TemplateIndex();
    const first = index.add({ adId: 'a1', text: ad('Léa', 'Lyon'), contacts: ['+33600000001'] });
    expect(first).toMatchObject({ clusterSize: 1, distinctContacts: 1, neighbours: [], linkedAdIds: [] });
    expect(first.evidence).toBeUndefined();

    const second = index.add({ adId: 'a2', text: ad('Nina', 'Nice'), contacts: ['+33600000002'] });
    expect(second.clusterId).toBe(first.clusterId);
    expect(second.neighbours[0].adId).toBe('a1');
    expect(second.neighbours[0].similarity).toBeGreaterThanOrEqual(0.8);
    expect(second.evidence).toMatchObject({ kind: 'template-cluster', clusterSize: 2, distinctContacts: 2 });
    expect(second.linkedAdIds).toEqual(['a1']);

    const third = index.add({ adId: 'a3', text: ad('Julie', 'Paris'), contacts: ['+33600000002'] });
    expect(third).toMatchObject({ clusterSize: 3, distinctContacts: 2, linkedAdIds: [] });
    expect(index.clusterMembers('a1').sort()).toEqual(['a1', 'a2', 'a3']);
  });

  it('keeps different texts apart', () => {
    const index = new TemplateIndex();
    const escort = index.add({ adId: 'a1', text: ad('Léa', 'Lyon'), contacts: ['x'] });
    const bakery = index.add({
      adId: 'b1',
      text: 'Boulangerie artisanale au centre de Lyon: pain au levain, viennoiseries pur beurre et pâtisseries maison, ouvert du mardi au dimanche de sept heures à vingt heures.',
      contacts: ['y'],
    });
    expect(bakery.clusterId).not.toBe(escort.clusterId);
    expect(bakery.neighbours).toEqual([]);
  });

  it('does not signal a template reposted with one contact', () => {
    const index = new TemplateIndex();
    index.add({ adId: 'a1', text: ad('Léa', 'Lyon'), contacts: ['+33600000001'] });
    const repost = index.add({ adId: 'a2', text: ad('Léa', 'Lille'), contacts: ['+33600000001'] });
    expect(repost.clusterSize).toBe(2);
    expect(repost.evidence).toBeUndefined();
  });

  it('does not index texts too short to be a template', () => {
    const index = new TemplateIndex();
    expect(index.add({ adId: 's', text: 'Bonjour', contacts: [] }).clusterId).toBeNull();
    expect(index.size).toBe(0);
  });

  it('replaces an ad added again', () => {
    const index = new TemplateIndex();
    index.add({ adId: 'a1', text: ad('Léa', 'Lyon'), contacts: ['p1'] });
    index.add({ adId: 'a1', text: ad('Léa', 'Lyon'), contacts: ['p1'] });
    expect(index.size).toBe(1);
    expect(index.add({ adId: 'a2', text: ad('Nina', 'Nice'), contacts: ['p2'] }).clusterSize).toBe(2);
  });

  it('bounds memory by evicting the oldest ads', () => {
    const index = new TemplateIndex({ capacity: 3 });
    for (let i = 0; i < 5; i++) index.add({ adId: `a${i}`, text: ad(`N${i}`, `C${i}`), contacts: [`p${i}`] });
    expect(index.size).toBe(3);
    expect(index.clusterMembers('a0')).toEqual([]);
    expect(index.clusterMembers('a4').sort()).toEqual(['a2', 'a3', 'a4']);
    const next = index.add({ adId: 'a5', text: ad('N5', 'C5'), contacts: ['p5'] });
    expect(next).toMatchObject({ clusterSize: 3, distinctContacts: 3 });
  });

  it('keeps near-duplicates found across the growth of its arrays', () => {
    const index = new TemplateIndex({ capacity: 5000 });
    index.add({ adId: 'first', text: ad('Léa', 'Lyon'), contacts: ['p0'] });
    // Distinct texts, enough to make the slot arrays grow several times.
    for (let i = 0; i < 3000; i++) {
      index.add({ adId: `other${i}`, text: `annonce ${i} vélo ${i * 7} en bon état prix ${i * 13} euros à débattre ${i * 31}`, contacts: [`q${i}`] });
    }
    expect(index.size).toBe(3001);
    const repost = index.add({ adId: 'last', text: ad('Nina', 'Nice'), contacts: ['p1'] });
    expect(repost.neighbours.map((n) => n.adId)).toEqual(['first']);
    expect(repost).toMatchObject({ clusterSize: 2, distinctContacts: 2, linkedAdIds: ['first'] });
  });

  it('evicts in order once the ring wraps past its first allocation', () => {
    const capacity = 1500;
    const index = new TemplateIndex({ capacity });
    for (let i = 0; i < capacity + 10; i++) index.add({ adId: `a${i}`, text: ad(`N${i}`, `C${i}`), contacts: [`p${i % 3}`] });
    expect(index.size).toBe(capacity);
    expect(index.clusterMembers('a9')).toEqual([]);
    const members = index.clusterMembers('a10');
    // LSH may miss the odd near-duplicate; none of the evicted ads may be left.
    expect(members.length).toBeGreaterThan(capacity * 0.99);
    expect(members.every((id) => Number(id.slice(1)) >= 10)).toBe(true);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new TemplateIndex({ capacity: 0 })).toThrow(RangeError);
    expect(() => new TemplateIndex({ capacity: 2.5 })).toThrow(RangeError);
  });

  it('rejects bands that do not divide the permutations', () => {
    expect(() => new TemplateIndex({ permutations: 128, bands: 10 })).toThrow(RangeError);
  });
});

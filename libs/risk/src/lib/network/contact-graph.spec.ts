import { ContactGraph } from './contact-graph';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');

describe('ContactGraph', () => {
  it('signals a contact used under three names within the window, with every linked ad', () => {
    const graph = new ContactGraph();
    expect(graph.observe({ adId: 'a1', contacts: ['+33612345678'], names: ['lea'], city: 'Lyon', at: T0 })).toEqual([]);
    expect(graph.observe({ adId: 'a2', contacts: ['+33612345678'], names: ['nina'], city: 'Lyon', at: T0 + DAY })).toEqual([]);
    const changed = graph.observe({ adId: 'a3', contacts: ['+33612345678'], names: ['julie'], city: 'Lyon', at: T0 + 2 * DAY });
    expect(changed).toEqual([
      expect.objectContaining({ contact: '+33612345678', strong: true, distinctNames: 3, distinctCities: 1, adIds: ['a1', 'a2', 'a3'] }),
    ]);
    expect(graph.evidenceFor(['+33612345678'])).toEqual([
      { kind: 'contact-reuse', contact: '+33612345678', distinctNames: 3, distinctCities: 1, adCount: 3, windowDays: 7 },
    ]);
  });

  it('signals again when the ad that completed a signal is observed again (a retry after a rollback)', () => {
    const graph = new ContactGraph();
    graph.observe({ adId: 'a1', contacts: ['p'], names: ['lea'], at: T0 });
    graph.observe({ adId: 'a2', contacts: ['p'], names: ['nina'], at: T0 });
    const third = { adId: 'a3', contacts: ['p'], names: ['julie'], at: T0 };
    expect(graph.observe(third)[0]).toMatchObject({ strong: true, adIds: ['a1', 'a2', 'a3'] });
    expect(graph.observe(third)[0]).toMatchObject({ strong: true, adIds: ['a1', 'a2', 'a3'] });
  });

  it('does not call one ad listing several names reuse', () => {
    const graph = new ContactGraph();
    expect(graph.observe({ adId: 'a1', contacts: ['p'], names: ['lea', 'nina', 'julie'], at: T0 })).toEqual([]);
    expect(graph.signal('p')).toMatchObject({ strong: false, distinctNames: 3 });
    expect(graph.observe({ adId: 'a2', contacts: ['p'], names: ['lea'], at: T0 })[0]).toMatchObject({ strong: true, adIds: ['a1', 'a2'] });
  });

  it('signals a contact seen in three cities, city names compared without case or accents', () => {
    const graph = new ContactGraph();
    graph.observe({ adId: 'a1', contacts: ['p'], names: [], city: 'Évry', at: T0 });
    graph.observe({ adId: 'a2', contacts: ['p'], names: [], city: 'EVRY', at: T0 });
    graph.observe({ adId: 'a3', contacts: ['p'], names: [], city: 'Nice', at: T0 });
    expect(graph.signal('p')?.strong).toBe(false);
    expect(graph.observe({ adId: 'a4', contacts: ['p'], names: [], city: 'Lille', at: T0 })[0]).toMatchObject({ strong: true, distinctCities: 3 });
  });

  it('forgets sightings older than the window', () => {
    const graph = new ContactGraph();
    graph.observe({ adId: 'a1', contacts: ['p'], names: ['lea'], at: T0 });
    graph.observe({ adId: 'a2', contacts: ['p'], names: ['nina'], at: T0 + DAY });
    const late = graph.observe({ adId: 'a3', contacts: ['p'], names: ['julie'], at: T0 + 9 * DAY });
    expect(late).toEqual([]);
    expect(graph.signal('p')).toMatchObject({ strong: false, distinctNames: 1, adIds: ['a3'] });
  });

  it('ignores an ad older than the window and a repeated ad', () => {
    const graph = new ContactGraph();
    graph.observe({ adId: 'a1', contacts: ['p'], names: ['lea'], at: T0 + 10 * DAY });
    expect(graph.observe({ adId: 'old', contacts: ['p'], names: ['nina'], at: T0 })).toEqual([]);
    graph.observe({ adId: 'a1', contacts: ['p'], names: ['lea'], at: T0 + 10 * DAY });
    expect(graph.signal('p')?.adIds).toEqual(['a1']);
  });

  it('reports a strong contact again only when its counts change', () => {
    const graph = new ContactGraph({ minDistinctNames: 2 });
    graph.observe({ adId: 'a1', contacts: ['p'], names: ['lea'], at: T0 });
    expect(graph.observe({ adId: 'a2', contacts: ['p'], names: ['nina'], at: T0 })).toHaveLength(1);
    expect(graph.observe({ adId: 'a3', contacts: ['p'], names: ['nina'], at: T0 })).toEqual([]);
    expect(graph.observe({ adId: 'a4', contacts: ['p'], names: ['julie'], at: T0 })).toHaveLength(1);
  });

  it('bounds memory: contacts outside the window and beyond the cap are evicted', () => {
    const graph = new ContactGraph({ maxContacts: 3 });
    for (let i = 0; i < 5; i++) graph.observe({ adId: `a${i}`, contacts: [`p${i}`], names: [], at: T0 + i });
    expect(graph.size).toBe(3);
    expect(graph.signal('p0')).toBeUndefined();
    graph.observe({ adId: 'late', contacts: ['q'], names: [], at: T0 + 30 * DAY });
    expect(graph.size).toBe(1);
  });

  it('keeps at most the configured sightings per contact', () => {
    const graph = new ContactGraph({ maxSightingsPerContact: 2 });
    for (let i = 0; i < 4; i++) graph.observe({ adId: `a${i}`, contacts: ['p'], names: [`n${i}`], at: T0 + i });
    expect(graph.signal('p')?.adIds).toEqual(['a2', 'a3']);
  });
});

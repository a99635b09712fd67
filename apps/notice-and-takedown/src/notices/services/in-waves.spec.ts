import { inWaves } from './in-waves';

describe('inWaves', () => {
  it('keeps a group about distinct ads in one wave, in order', () => {
    expect(inWaves([['a'], ['b', 'c'], ['d']])).toEqual([
      [
        { item: 0, location: 0 },
        { item: 1, location: 0 },
        { item: 1, location: 1 },
        { item: 2, location: 0 },
      ],
    ]);
  });

  it('puts the n-th pair about an ad in the n-th wave, so no wave names an ad twice', () => {
    const waves = inWaves([['a', 'b'], ['a'], ['c', 'a'], ['b']]);
    expect(waves).toEqual([
      [
        { item: 0, location: 0 },
        { item: 0, location: 1 },
        { item: 2, location: 0 },
      ],
      [
        { item: 1, location: 0 },
        { item: 3, location: 0 },
      ],
      [{ item: 2, location: 1 }],
    ]);
  });

  it('splits an item naming the same ad twice over two waves', () => {
    expect(inWaves([['a', 'a']])).toEqual([[{ item: 0, location: 0 }], [{ item: 0, location: 1 }]]);
  });

  it('answers no waves for no items', () => {
    expect(inWaves([])).toEqual([]);
  });
});

import { backoffMs, refusedIndexes } from './tdb-http';

describe('Transparency Database answers', () => {
  it('names the refused statements from `statements.<n>.<field>` errors', () => {
    expect(refusedIndexes({ errors: { 'statements.3.puid': ['taken'], 'statements.1.category': ['x'], 'statements.3.decision_facts': ['y'] } }, 5)).toEqual([1, 3]);
  });

  it('names none when the answer does not say which (the whole batch stands refused)', () => {
    expect(refusedIndexes({ message: 'Unauthenticated.' }, 5)).toEqual([]);
    expect(refusedIndexes('<html>', 5)).toEqual([]);
    expect(refusedIndexes(null, 5)).toEqual([]);
    expect(refusedIndexes({ errors: { statements: ['too many'], 'statements.9.puid': ['out of range'] } }, 5)).toEqual([]);
  });

  it('backs off exponentially, between half and all of the doubled delay', () => {
    expect(backoffMs(100, 0, () => 0)).toBe(50);
    expect(backoffMs(100, 3, () => 1)).toBe(800);
    expect(backoffMs(100, 2, () => 0.5)).toBe(300);
  });
});

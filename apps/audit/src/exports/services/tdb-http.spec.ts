import { alreadyPresentIndexes, backoffMs, refusedIndexes } from './tdb-http';

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

  it('tells statements refused only for a puid the database already holds from the others', () => {
    const body = {
      errors: {
        'statements.0.puid': ['The identifier given is not unique within this platform.'],
        'statements.2.puid': ['The identifier given is not unique within this platform.'],
        'statements.2.decision_facts': ['The decision facts field is required.'],
        'statements.3.puid': ['The puid format is invalid.'],
        'statements.4.puid': 'The puid has already been taken.',
      },
    };
    // 2 also breaks another rule, 3's puid is malformed: both are refused, not present.
    expect(alreadyPresentIndexes(body, 5)).toEqual([0, 4]);
    expect(refusedIndexes(body, 5)).toEqual([0, 2, 3, 4]);
    expect(alreadyPresentIndexes(body, 1)).toEqual([0]);
    expect(alreadyPresentIndexes({ message: 'Unauthenticated.' }, 5)).toEqual([]);
    expect(alreadyPresentIndexes({ errors: { puid: ['The identifier given is not unique within this platform.'] } }, 5)).toEqual([]);
  });

  it('backs off exponentially, between half and all of the doubled delay', () => {
    expect(backoffMs(100, 0, () => 0)).toBe(50);
    expect(backoffMs(100, 3, () => 1)).toBe(800);
    expect(backoffMs(100, 2, () => 0.5)).toBe(300);
  });
});

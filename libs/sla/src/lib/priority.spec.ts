import fc from 'fast-check';
import { ABUSE_CATEGORIES, NOTICE_SOURCE_TYPES } from '@vigie/contracts';
import { compareReviewPriority, type ReviewItem } from './priority';

const item = (id: string, changes: Partial<ReviewItem>): ReviewItem => ({
  id,
  category: 'pimping',
  sourceType: 'public',
  deadlineMs: 1_000,
  receivedMs: 0,
  ...changes,
});

describe('compareReviewPriority', () => {
  it('orders minors, authority orders, trusted flaggers, then deadline, then receipt', () => {
    const queue = [
      item('public-late', { deadlineMs: 9_000 }),
      item('own-initiative-no-deadline', { sourceType: null, deadlineMs: null }),
      item('public-early', { deadlineMs: 2_000 }),
      item('public-early-received-first', { deadlineMs: 2_000, receivedMs: -5 }),
      item('trusted', { sourceType: 'trusted-flagger', deadlineMs: 50_000 }),
      item('authority', { sourceType: 'authority-order', deadlineMs: 80_000 }),
      item('minors-public', { category: 'minors', deadlineMs: 90_000 }),
      item('minors-authority', { category: 'minors', sourceType: 'authority-order', deadlineMs: 95_000 }),
    ];
    expect([...queue].sort(compareReviewPriority).map((entry) => entry.id)).toEqual([
      'minors-authority',
      'minors-public',
      'authority',
      'trusted',
      'public-early-received-first',
      'public-early',
      'public-late',
      'own-initiative-no-deadline',
    ]);
  });

  describe('is a total order', () => {
    const arbitraryItem: fc.Arbitrary<ReviewItem> = fc.record(
      {
        category: fc.constantFrom(...ABUSE_CATEGORIES),
        sourceType: fc.constantFrom(...NOTICE_SOURCE_TYPES, null),
        deadlineMs: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
        receivedMs: fc.integer({ min: 0, max: 20 }),
        id: fc.stringMatching(/^[a-c]{0,2}$/),
      },
      { requiredKeys: ['category', 'sourceType', 'deadlineMs', 'receivedMs'] },
    );
    const sign = (value: number): number => Math.sign(value) + 0;

    it('antisymmetric and reflexive', () => {
      fc.assert(
        fc.property(arbitraryItem, arbitraryItem, (a, b) => {
          expect(sign(compareReviewPriority(a, b))).toBe(-sign(compareReviewPriority(b, a)));
          expect(compareReviewPriority(a, a)).toBe(0);
        }),
      );
    });

    it('transitive', () => {
      fc.assert(
        fc.property(arbitraryItem, arbitraryItem, arbitraryItem, (a, b, c) => {
          if (compareReviewPriority(a, b) <= 0 && compareReviewPriority(b, c) <= 0) expect(compareReviewPriority(a, c)).toBeLessThanOrEqual(0);
        }),
      );
    });

    it('equal only when every key is equal', () => {
      fc.assert(
        fc.property(arbitraryItem, arbitraryItem, (a, b) => {
          if (compareReviewPriority(a, b) === 0) {
            // Only "minors or not" ranks categories; the others share a rank.
            expect(a.category === 'minors').toBe(b.category === 'minors');
            expect([a.sourceType ?? 'public', a.deadlineMs, a.receivedMs, a.id ?? null]).toEqual([b.sourceType ?? 'public', b.deadlineMs, b.receivedMs, b.id ?? null]);
          }
        }),
      );
    });

    it('sorts any arrangement of a queue the same way', () => {
      fc.assert(
        fc.property(fc.array(arbitraryItem, { maxLength: 12 }), fc.nat(), (queue, seed) => {
          const shuffled = [...queue].sort((a, b) => ((JSON.stringify(a) + seed).length % 3) - ((JSON.stringify(b) + seed).length % 3));
          // What the order ranks by: items equal on all of it (e.g. an own-initiative case and a
          // public notice, two categories other than minors) may come in either order.
          const key = (sorted: ReviewItem[]) =>
            sorted.map((entry) => JSON.stringify([entry.category === 'minors', entry.sourceType ?? 'public', entry.deadlineMs, entry.receivedMs, entry.id ?? null]));
          expect(key([...shuffled].sort(compareReviewPriority))).toEqual(key([...queue].sort(compareReviewPriority)));
        }),
      );
    });
  });
});

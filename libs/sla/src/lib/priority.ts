import type { AbuseCategory, NoticeSourceType } from './policy';

export interface ReviewItem {
  readonly category: AbuseCategory;
  /** `null`: opened on own initiative (no notice); ranks with public notices. */
  readonly sourceType: NoticeSourceType | null;
  /** Effective deadline of the case; `null` (no deadline yet) ranks after every deadline. */
  readonly deadlineMs: number | null;
  readonly receivedMs: number;
  /** Final tie-break, so equal cases always come out in the same order. */
  readonly id?: string;
}

const SOURCE_RANK: Readonly<Record<NoticeSourceType, number>> = {
  'authority-order': 0,
  // DSA Art. 22: trusted-flagger notices are handled with priority.
  'trusted-flagger': 1,
  public: 2,
};
const OWN_INITIATIVE_RANK = SOURCE_RANK.public;

/**
 * Review queue order: minors first (a child's safety outweighs any deadline), then authority
 * orders, then trusted flaggers before public notices, then earliest deadline, then earliest
 * receipt, then id. Negative when `a` comes first. A total order: items that compare 0 agree on
 * every key.
 */
export function compareReviewPriority(a: ReviewItem, b: ReviewItem): number {
  return (
    Number(b.category === 'minors') - Number(a.category === 'minors') ||
    sourceRank(a) - sourceRank(b) ||
    compareNullableLast(a.deadlineMs, b.deadlineMs) ||
    compareNumbers(a.receivedMs, b.receivedMs) ||
    compareNullableLast(a.id ?? null, b.id ?? null)
  );
}

function sourceRank(item: ReviewItem): number {
  return item.sourceType === null ? OWN_INITIATIVE_RANK : SOURCE_RANK[item.sourceType];
}

function compareNullableLast<T extends number | string>(a: T | null, b: T | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return typeof a === 'number' ? compareNumbers(a, b as number) : a < b ? -1 : a > b ? 1 : 0;
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import type { AbuseCategory, NoticeSourceType, RiskBand } from './vocabulary';

export type CasePriority = 'urgent' | 'high' | 'normal' | 'low';

export interface PriorityInput {
  category: AbuseCategory;
  /** Best source among the case's notices; null for a case opened by an automated flag only. */
  sourceType: NoticeSourceType | null;
  band: RiskBand | null;
  /** Every notice on the case comes from a notifier deprioritised for unfounded notices (Art. 23(2)). */
  deprioritisedOnly: boolean;
}

/**
 * Queue rank (lower first) and its label. Minors come first, then authority orders, then
 * trusted flaggers (DSA Art. 22) and critical flags, then public notices and high flags;
 * a notifier with repeated manifestly unfounded notices goes last.
 */
export function casePriority(input: PriorityInput): { priority: CasePriority; sourceRank: number } {
  if (input.category === 'minors') return { priority: 'urgent', sourceRank: 0 };
  if (input.sourceType === 'authority-order') return { priority: 'urgent', sourceRank: 1 };
  if (input.sourceType === 'trusted-flagger') return { priority: 'high', sourceRank: 2 };
  if (input.band === 'critical') return { priority: 'high', sourceRank: 2 };
  if (input.deprioritisedOnly && input.band !== 'high') return { priority: 'low', sourceRank: 4 };
  return { priority: 'normal', sourceRank: 3 };
}

const SOURCE_ORDER: Record<NoticeSourceType, number> = { 'authority-order': 0, 'trusted-flagger': 1, public: 2 };

/** The stronger of two notice sources (authority order > trusted flagger > public). */
export function strongerSource(a: NoticeSourceType | null, b: NoticeSourceType | null): NoticeSourceType | null {
  if (a === null) return b;
  if (b === null) return a;
  return SOURCE_ORDER[a] <= SOURCE_ORDER[b] ? a : b;
}

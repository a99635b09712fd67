import type { AbuseCategory, CasePriority, NoticeSourceType } from '@vigie/case-rules';

/** A `notice_and_takedown.cases` row as the driver returns it. */
export interface CaseRow {
  id: string;
  platform_id: string;
  ad_id: string;
  ad_url: string | null;
  category: AbuseCategory;
  origin: 'notice' | 'authority-order' | 'automated-flag' | 'own-initiative';
  priority: CasePriority;
  source_rank: number;
  status: 'open' | 'decided' | 'closed';
  policy_version: string;
  opened_at: Date;
  published_at: Date | null;
  first_flag_at: Date | null;
  flag_band: 'high' | 'critical' | null;
  flag_score: number | null;
  flag_indicators: string[];
  referral_suggested: boolean;
  notice_received_at: Date | null;
  provisional_from: Date | null;
  knowledge_at: Date | null;
  knowledge_basis: string | null;
  response_deadline: Date | null;
  removal_deadline: Date | null;
  internal_deadline: Date | null;
  authority_deadline: Date | null;
  claimed_by: string | null;
  lease_expires_at: Date | null;
  decision_id: string | null;
  decided_at: Date | null;
  decided_by: string | null;
  action: string | null;
  automated_decision: string | null;
  human_review_due: boolean;
  notifier_informed_at: Date | null;
  takedown_requested_at: Date | null;
  removed_at: Date | null;
  verified_at: Date | null;
  referred_at: Date | null;
  closed_at: Date | null;
  updated_at: Date;
}

export interface CaseNoticeRow {
  id: string;
  received_at: Date;
  source_type: NoticeSourceType;
  status: 'received' | 'qualified' | 'rejected';
  notifier_email: string | null;
  notifier_key: string;
  deprioritised: boolean;
  authority_order: { deadline: string } | null;
  channel: string;
  notifier_informed_at: Date | null;
}

/** Most severe first: a case takes the most severe category any of its notices or flags gives. */
export const CATEGORY_SEVERITY: AbuseCategory[] = ['minors', 'human-trafficking', 'pimping', 'other-illegal', 'sexual-services-terms', 'other-terms'];

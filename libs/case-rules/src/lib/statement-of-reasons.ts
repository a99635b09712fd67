import { CATEGORY_PROFILES } from './categories';
import type {
  AbuseCategory,
  AutomationLevel,
  DecisionAction,
  DecisionGround,
  NoticeSourceType,
  StatementCategory,
  StatementKeyword,
  StatementOfReasons,
} from './vocabulary';

export interface StatementInput {
  decisionId: string;
  action: DecisionAction;
  ground: DecisionGround;
  category: AbuseCategory;
  legalReference: string | null;
  explanation: string;
  statementCategory: StatementCategory;
  keywords: readonly StatementKeyword[];
  /** Strongest notice source on the case; null when Vigie acted on its own initiative. */
  sourceType: NoticeSourceType | null;
  automatedDetection: boolean;
  automatedDecision: AutomationLevel;
  accountAction: 'none' | 'suspend' | 'terminate';
  territorialScope: readonly string[];
  contentPublishedAt: Date | null;
  contentLanguage: string | null;
  hasImages: boolean;
  decidedAt: Date;
  facts: string;
}

const VISIBILITY: Partial<Record<DecisionAction, StatementOfReasons['decision_visibility'][number]>> = {
  remove: 'DECISION_VISIBILITY_CONTENT_REMOVED',
  disable: 'DECISION_VISIBILITY_CONTENT_DISABLED',
  restrict: 'DECISION_VISIBILITY_CONTENT_DEMOTED',
};

const SOURCE: Record<NoticeSourceType, StatementOfReasons['source_type']> = {
  public: 'SOURCE_ARTICLE_16',
  'trusted-flagger': 'SOURCE_TRUSTED_FLAGGER',
  'authority-order': 'SOURCE_TYPE_OTHER_NOTIFICATION',
};

const AUTOMATION: Record<AutomationLevel, StatementOfReasons['automated_decision']> = {
  fully: 'AUTOMATED_DECISION_FULLY',
  partially: 'AUTOMATED_DECISION_PARTIALLY',
  'not-automated': 'AUTOMATED_DECISION_NOT_AUTOMATED',
};

/** Keeps within the database's length limits without cutting a surrogate pair in two. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

const isoDate = (date: Date) => date.toISOString().slice(0, 10);

/**
 * The DSA Art. 17 statement of reasons for a restriction, in the Transparency Database's own
 * field names, with no personal data (no notifier identity, no account id). `null` when the
 * decision restricts nothing (no action, insufficient notice): no statement is owed.
 */
export function buildStatementOfReasons(input: StatementInput): StatementOfReasons | null {
  const visibility = VISIBILITY[input.action];
  if (!visibility) return null;
  const profile = CATEGORY_PROFILES[input.category];
  const common = {
    puid: `vigie-${input.decisionId}`,
    decision_visibility: [visibility],
    ...(input.accountAction === 'suspend'
      ? { decision_account: 'DECISION_ACCOUNT_SUSPENDED' as const }
      : input.accountAction === 'terminate'
        ? { decision_account: 'DECISION_ACCOUNT_TERMINATED' as const }
        : {}),
    content_type: input.hasImages ? ['CONTENT_TYPE_TEXT' as const, 'CONTENT_TYPE_IMAGE' as const] : ['CONTENT_TYPE_TEXT' as const],
    category: input.statementCategory,
    ...(input.keywords.length > 0 ? { category_specification: [...new Set(input.keywords)] } : {}),
    ...(input.territorialScope.length > 0
      ? { territorial_scope: [...new Set(input.territorialScope)] as NonNullable<StatementOfReasons['territorial_scope']> }
      : {}),
    ...(input.contentLanguage && /^[a-z]{2}$/i.test(input.contentLanguage) ? { content_language: input.contentLanguage.toUpperCase() } : {}),
    content_date: isoDate(input.contentPublishedAt ?? input.decidedAt),
    application_date: isoDate(input.decidedAt),
    decision_facts: clip(input.facts, 5000),
    source_type: input.sourceType ? SOURCE[input.sourceType] : ('SOURCE_VOLUNTARY' as const),
    automated_detection: input.automatedDetection ? ('Yes' as const) : ('No' as const),
    automated_decision: AUTOMATION[input.automatedDecision],
  };
  if (input.ground === 'illegal') {
    return {
      ...common,
      decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
      illegal_content_legal_ground: clip(input.legalReference ?? profile.legalReference ?? 'Droit pénal français', 500),
      illegal_content_explanation: clip(input.explanation, 2000),
    };
  }
  return {
    ...common,
    decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
    incompatible_content_ground: clip(input.legalReference ?? profile.termsGround ?? "Conditions d'utilisation", 500),
    incompatible_content_explanation: clip(input.explanation, 2000),
  };
}

/** DSA Art. 20: complaints stay open at least six months after the uploader is informed. */
export function appealDeadline(informedAt: Date): Date {
  const deadline = new Date(informedAt.getTime());
  const day = deadline.getUTCDate();
  deadline.setUTCDate(1);
  deadline.setUTCMonth(deadline.getUTCMonth() + 6);
  // 31 August + 6 months is the end of February, not early March.
  const lastDay = new Date(Date.UTC(deadline.getUTCFullYear(), deadline.getUTCMonth() + 1, 0)).getUTCDate();
  deadline.setUTCDate(Math.min(day, lastDay));
  return deadline;
}

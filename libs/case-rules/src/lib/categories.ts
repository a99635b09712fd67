import type { AbuseCategory, DecisionGround, StatementCategory, StatementKeyword } from './vocabulary';

export interface CategoryProfile {
  /** The ground a removal in this category normally rests on. */
  ground: DecisionGround;
  /** Cited in statements of reasons and takedown commands when the moderator gives none. */
  legalReference: string | null;
  termsGround: string | null;
  statementCategory: StatementCategory;
  keywords: StatementKeyword[];
  /** DSA Art. 18: life or safety threatened, the police must be told. */
  referral: { authority: 'pharos' | 'ofac'; reason: 'minor-involved' | 'trafficking-suspected' } | null;
}

/**
 * How each abuse category maps to the DSA Transparency Database vocabulary and French law
 * (Code pénal art. 225-5 ff. proxénétisme, 225-4-1 traite, 225-12-1 ff. minors).
 */
export const CATEGORY_PROFILES: Record<AbuseCategory, CategoryProfile> = {
  'human-trafficking': {
    ground: 'illegal',
    legalReference: 'Code pénal art. 225-4-1 (traite des êtres humains)',
    termsGround: null,
    statementCategory: 'STATEMENT_CATEGORY_VIOLENCE',
    keywords: ['KEYWORD_HUMAN_TRAFFICKING', 'KEYWORD_TRAFFICKING_WOMEN_GIRLS'],
    referral: { authority: 'pharos', reason: 'trafficking-suspected' },
  },
  pimping: {
    ground: 'illegal',
    legalReference: 'Code pénal art. 225-5 et suivants (proxénétisme)',
    termsGround: null,
    statementCategory: 'STATEMENT_CATEGORY_VIOLENCE',
    keywords: ['KEYWORD_HUMAN_EXPLOITATION'],
    referral: null,
  },
  minors: {
    ground: 'illegal',
    legalReference: 'Code pénal art. 225-12-1 et suivants (prostitution de mineurs)',
    termsGround: null,
    statementCategory: 'STATEMENT_CATEGORY_PROTECTION_OF_MINORS',
    keywords: ['KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS'],
    referral: { authority: 'pharos', reason: 'minor-involved' },
  },
  'sexual-services-terms': {
    ground: 'terms',
    legalReference: null,
    termsGround: "Conditions d'utilisation : les annonces de services sexuels sont interdites",
    statementCategory: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
    keywords: ['KEYWORD_ADULT_SEXUAL_MATERIAL'],
    referral: null,
  },
  'other-illegal': {
    ground: 'illegal',
    legalReference: null,
    termsGround: null,
    statementCategory: 'STATEMENT_CATEGORY_VIOLENCE',
    keywords: ['KEYWORD_OTHER'],
    referral: null,
  },
  'other-terms': {
    ground: 'terms',
    legalReference: null,
    termsGround: "Conditions d'utilisation de la plateforme",
    statementCategory: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
    keywords: ['KEYWORD_OTHER'],
    referral: null,
  },
};

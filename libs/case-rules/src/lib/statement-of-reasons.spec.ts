import { validateEventData } from '@vigie/contracts';
import { appealDeadline, buildStatementOfReasons, type StatementInput } from './statement-of-reasons';

const base: StatementInput = {
  decisionId: '01a2077e-f496-7318-a652-fc9b2a119b16',
  action: 'remove',
  ground: 'illegal',
  category: 'pimping',
  legalReference: null,
  explanation: 'Numéro partagé entre plusieurs prénoms et villes.',
  statementCategory: 'STATEMENT_CATEGORY_VIOLENCE',
  keywords: ['KEYWORD_HUMAN_EXPLOITATION'],
  sourceType: 'public',
  automatedDetection: true,
  automatedDecision: 'not-automated',
  accountAction: 'none',
  territorialScope: ['FR'],
  contentPublishedAt: new Date('2026-11-20T10:00:00Z'),
  contentLanguage: 'fr',
  hasImages: true,
  decidedAt: new Date('2026-11-23T08:00:00Z'),
  facts: 'Signalement au titre de l’article 16.',
};

/** The statement travels in `uploader.informed`: the contract is the Transparency Database's schema. */
function assertValid(statement: unknown) {
  const result = validateEventData('uploader.informed', {
    caseId: '01a2077e-f496-7318-a652-fc9b2a119b17',
    decisionId: base.decisionId,
    informedAt: '2026-11-23T08:00:00.000Z',
    channel: 'platform-message',
    appealDeadline: '2027-05-23T08:00:00.000Z',
    statementOfReasons: statement,
  });
  expect(result.ok ? [] : result.errors).toEqual([]);
}

describe('buildStatementOfReasons', () => {
  it('maps a removal for illegal content with the category’s legal ground', () => {
    const statement = buildStatementOfReasons(base);
    expect(statement).toMatchObject({
      puid: `vigie-${base.decisionId}`,
      decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
      decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
      illegal_content_legal_ground: 'Code pénal art. 225-5 et suivants (proxénétisme)',
      content_type: ['CONTENT_TYPE_TEXT', 'CONTENT_TYPE_IMAGE'],
      content_language: 'FR',
      content_date: '2026-11-20',
      application_date: '2026-11-23',
      source_type: 'SOURCE_ARTICLE_16',
      automated_detection: 'Yes',
      automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
    });
    assertValid(statement);
  });

  it('maps terms-of-service restrictions, sources and account measures', () => {
    const statement = buildStatementOfReasons({
      ...base,
      action: 'restrict',
      ground: 'terms',
      category: 'sexual-services-terms',
      statementCategory: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
      keywords: ['KEYWORD_ADULT_SEXUAL_MATERIAL'],
      sourceType: null,
      accountAction: 'suspend',
      hasImages: false,
      contentLanguage: null,
      automatedDetection: false,
    });
    expect(statement).toMatchObject({
      decision_visibility: ['DECISION_VISIBILITY_CONTENT_DEMOTED'],
      decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
      decision_account: 'DECISION_ACCOUNT_SUSPENDED',
      source_type: 'SOURCE_VOLUNTARY',
      content_type: ['CONTENT_TYPE_TEXT'],
      automated_detection: 'No',
    });
    expect(statement).not.toHaveProperty('content_language');
    assertValid(statement);
  });

  it('owes no statement when nothing is restricted', () => {
    expect(buildStatementOfReasons({ ...base, action: 'no-action' })).toBeNull();
    expect(buildStatementOfReasons({ ...base, action: 'insufficient' })).toBeNull();
  });

  it('keeps within the database’s length limits', () => {
    const statement = buildStatementOfReasons({ ...base, explanation: 'é'.repeat(3000), legalReference: 'L'.repeat(900), facts: 'f'.repeat(9000) });
    assertValid(statement);
    expect(statement && 'illegal_content_explanation' in statement && statement.illegal_content_explanation.length).toBe(2000);
  });
});

describe('appealDeadline', () => {
  it('is six calendar months later, clamped to the end of a shorter month', () => {
    expect(appealDeadline(new Date('2026-11-23T08:21:31.200Z')).toISOString()).toBe('2027-05-23T08:21:31.200Z');
    expect(appealDeadline(new Date('2026-08-31T12:00:00.000Z')).toISOString()).toBe('2027-02-28T12:00:00.000Z');
  });
});

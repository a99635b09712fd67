import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateBatch, validateStatement } from './validate-statement';

// The examples the EU Transparency Database accepts, shipped beside the design brief.
// Submissions the Transparency Database accepts, kept beside the spec so it runs from any clone.
const shared = join(__dirname, '..', 'fixtures');
const single = JSON.parse(readFileSync(join(shared, 'example_statement.json'), 'utf8')) as Record<string, unknown>;
const multi = (JSON.parse(readFileSync(join(shared, 'example_multi_statements.json'), 'utf8')) as { statements: Record<string, unknown>[] }).statements;

const illegal = {
  puid: 'vigie-01a2077e-f496-7318-a652-fc9b2a119b16',
  decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
  decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
  illegal_content_legal_ground: 'Code pénal art. 225-5',
  illegal_content_explanation: "Annonce présentant des indices d'exploitation sexuelle d'autrui.",
  content_type: ['CONTENT_TYPE_TEXT'],
  category: 'STATEMENT_CATEGORY_VIOLENCE',
  category_specification: ['KEYWORD_HUMAN_TRAFFICKING'],
  territorial_scope: ['FR', 'GR'],
  content_language: 'FR',
  content_date: '2026-11-23',
  application_date: '2026-11-23',
  decision_facts: 'Signalement corroboré par un modérateur.',
  source_type: 'SOURCE_TRUSTED_FLAGGER',
  automated_detection: 'Yes',
  automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
};

const fields = (statement: unknown) => validateStatement(statement).map((p) => p.field);

describe('validateStatement', () => {
  it('accepts the examples the database accepts', () => {
    expect(validateStatement(single)).toEqual([]);
    for (const statement of multi) expect(validateStatement(statement)).toEqual([]);
    expect(validateBatch(multi)).toEqual({ batch: [], statements: [] });
    expect(validateStatement(illegal)).toEqual([]);
  });

  it('requires the grounds that go with the decision ground', () => {
    expect(fields({ ...illegal, illegal_content_legal_ground: undefined })).toEqual(['illegal_content_legal_ground']);
    expect(fields({ ...illegal, decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT' })).toEqual(['incompatible_content_ground', 'incompatible_content_explanation']);
    expect(fields({ ...illegal, illegal_content_explanation: 'x'.repeat(2001) })).toEqual(['illegal_content_explanation']);
    expect(fields({ ...illegal, decision_ground: 'DECISION_GROUND_OTHER' })).toEqual(['decision_ground']);
  });

  it('needs decision_visibility unless another decision is given', () => {
    expect(fields({ ...illegal, decision_visibility: [] })).toEqual(['decision_visibility']);
    expect(fields({ ...illegal, decision_visibility: undefined, decision_account: 'DECISION_ACCOUNT_SUSPENDED' })).toEqual([]);
  });

  it('checks enumerations, dates, lengths and the puid', () => {
    expect(fields({ ...illegal, territorial_scope: ['EL'] })).toEqual(['territorial_scope/0']);
    expect(fields({ ...illegal, content_language: 'fr' })).toEqual(['content_language']);
    expect(fields({ ...illegal, automated_detection: true })).toEqual(['automated_detection']);
    expect(fields({ ...illegal, automated_decision: 'fully' })).toEqual(['automated_decision']);
    expect(fields({ ...illegal, content_date: '2026-02-30' })).toEqual(['content_date']);
    expect(fields({ ...illegal, application_date: '23/11/2026' })).toEqual(['application_date']);
    expect(fields({ ...illegal, category_specification: ['KEYWORD_UNKNOWN'] })).toEqual(['category_specification/0']);
    expect(fields({ ...illegal, puid: 'has space' })).toEqual(['puid']);
    expect(fields({ ...illegal, puid: 'x'.repeat(501) })).toEqual(['puid']);
    expect(fields({ ...illegal, decision_facts: 'x'.repeat(5001) })).toEqual(['decision_facts']);
    expect(fields({ ...illegal, surprise: 1 })).toEqual(['surprise']);
  });

  it('refuses source_identity with a voluntary source and any personal data', () => {
    expect(validateStatement({ ...illegal, source_type: 'SOURCE_VOLUNTARY', source_identity: 'x' })[0]).toEqual({ field: 'source_identity', reason: 'not allowed with SOURCE_VOLUNTARY' });
    expect(fields({ ...illegal, decision_facts: 'Contact: jane.doe@example.org' })).toEqual(['decision_facts']);
    expect(fields({ ...illegal, decision_facts: 'Appeler le +33 6 12 34 56 78' })).toEqual(['decision_facts']);
  });
});

describe('validateBatch', () => {
  it('holds 1 to 100 statements with unique puids', () => {
    expect(validateBatch([]).batch).toHaveLength(1);
    expect(validateBatch(Array.from({ length: 101 }, (_, i) => ({ ...illegal, puid: `p-${i}` }))).batch).toHaveLength(1);
    const duplicate = validateBatch([illegal, illegal]);
    expect(duplicate.statements).toEqual([{ index: 1, puid: illegal.puid, problems: [{ field: 'puid', reason: 'duplicate of statement 0 in the batch' }] }]);
  });
});

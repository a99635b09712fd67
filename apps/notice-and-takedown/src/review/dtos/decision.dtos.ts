import { Type, type Static } from '@sinclair/typebox';
import { DECISION_ACTIONS, DECISION_GROUNDS, TDB_KEYWORDS, TDB_STATEMENT_CATEGORIES, TDB_TERRITORIAL_SCOPE_CODES } from '@vigie/contracts';
import { literalUnion } from '@vigie/service-kit';

export const DecideCaseBody = Type.Object(
  {
    action: literalUnion(DECISION_ACTIONS, {
      description: '`remove`, `disable` (access), `restrict` (visibility), `no-action`, or `insufficient` (the information does not allow a decision)',
    }),
    ground: Type.Optional(literalUnion(DECISION_GROUNDS, { description: "default: the category's usual ground" })),
    legalReference: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: "law or terms clause; default: the category's" })),
    explanation: Type.String({ minLength: 10, maxLength: 2000, description: 'facts and reasons, shown to the uploader in the statement of reasons' }),
    statementCategory: Type.Optional(literalUnion(TDB_STATEMENT_CATEGORIES)),
    keywords: Type.Optional(Type.Array(literalUnion(TDB_KEYWORDS), { maxItems: 10, uniqueItems: true })),
    accountAction: Type.Optional(literalUnion(['none', 'suspend', 'terminate'] as const)),
    territorialScope: Type.Optional(Type.Array(literalUnion(TDB_TERRITORIAL_SCOPE_CODES), { maxItems: 30, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type DecideCaseBody = Static<typeof DecideCaseBody>;

export const PauseClockBody = Type.Object(
  {
    reason: literalUnion(['clarification-requested', 'force-majeure'] as const),
    explanation: Type.String({ minLength: 1, maxLength: 1000 }),
    slas: Type.Optional(
      Type.Array(literalUnion(['response', 'removal'] as const), { minItems: 1, uniqueItems: true, description: 'default: response' }),
    ),
  },
  { additionalProperties: false },
);
export type PauseClockBody = Static<typeof PauseClockBody>;

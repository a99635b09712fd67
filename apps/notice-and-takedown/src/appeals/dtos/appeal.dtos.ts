import { Type, type Static } from '@sinclair/typebox';
import { DECISION_ACTIONS } from '@vigie/contracts';
import { literalUnion } from '@vigie/service-kit';

export const SubmitAppealBody = Type.Object(
  {
    appellant: literalUnion(['uploader', 'notifier'] as const, { description: 'who contests the decision (DSA Art. 20)' }),
    grounds: Type.String({ minLength: 10, maxLength: 5000 }),
    decisionId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$', description: "default: the case's latest decision" })),
  },
  { additionalProperties: false },
);
export type SubmitAppealBody = Static<typeof SubmitAppealBody>;

export const DecideAppealBody = Type.Object(
  {
    outcome: literalUnion(['upheld', 'reversed', 'modified'] as const),
    newAction: Type.Optional(literalUnion(DECISION_ACTIONS, { description: 'required for `modified`' })),
    explanation: Type.String({ minLength: 10, maxLength: 2000 }),
  },
  { additionalProperties: false },
);
export type DecideAppealBody = Static<typeof DecideAppealBody>;

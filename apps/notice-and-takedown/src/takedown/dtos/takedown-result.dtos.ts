import { Type, type Static } from '@sinclair/typebox';
import { UUID_V7_PATTERN } from '@vigie/contracts';

/** ISO-8601 with a UTC offset (`Z` or `±hh:mm`); fractions of a second optional. */
const INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';

export const TakedownResultBody = Type.Object(
  {
    commandId: Type.String({ pattern: UUID_V7_PATTERN, description: 'the `commandId` of the command, as received (X-Vigie-Command-Id)' }),
    action: Type.Union(
      (['remove', 'disable', 'restrict', 'reinstate'] as const).map((action) => Type.Literal(action)),
      { description: 'what the platform did; must be the action the command asked for' },
    ),
    confirmedAt: Type.String({
      pattern: INSTANT_PATTERN,
      description: 'when the command took effect on the platform (its own claim), ISO-8601 with an offset',
    }),
    platformReference: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], { description: "the platform's own ticket or log reference" }),
    ),
  },
  { additionalProperties: false },
);
export type TakedownResultBody = Static<typeof TakedownResultBody>;

export interface TakedownResultView {
  commandId: string;
  status: 'confirmed';
  action: string;
  confirmedAt: string;
  /** True when the command had already been confirmed: nothing changed. */
  duplicate: boolean;
}

import { Type, type Static } from '@sinclair/typebox';
import { AdSchema, ISO_TIMESTAMP_PATTERN } from '@vigie/contracts';

export const MAX_ADS_PER_BATCH = 1000;

export const AdBatchBody = Type.Array(AdSchema(), {
  maxItems: MAX_ADS_PER_BATCH,
  description: `up to ${MAX_ADS_PER_BATCH} ads (and at most the body limit, 5 MB by default)`,
});

export const RemovalBody = Type.Object(
  {
    removedAt: Type.String({ pattern: ISO_TIMESTAMP_PATTERN, description: 'when the ad was removed, as the platform claims (UTC, ms)' }),
    removedBy: Type.Optional(
      Type.Union(
        [
          Type.Literal('platform-moderation'),
          Type.Literal('uploader'),
          Type.Literal('expiry'),
          Type.Literal('takedown-command'),
          Type.Literal('unknown'),
        ],
        { description: 'who removed it; `unknown` when omitted' },
      ),
    ),
    commandId: Type.Optional(
      Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$', description: 'the Vigie takedown command this answers' }),
    ),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type RemovalBody = Static<typeof RemovalBody>;

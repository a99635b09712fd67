import { Type, type Static } from '@sinclair/typebox';
import { ABUSE_CATEGORIES, AD_ID_PATTERN, EMAIL_PATTERN, PLATFORM_ID_PATTERN, TDB_KEYWORDS } from '@vigie/contracts';
import { literalUnion } from '@vigie/service-kit';

export const MAX_LOCATIONS_PER_NOTICE = 100;

const NoticeLocationBody = Type.Object(
  {
    platformId: Type.String({ pattern: PLATFORM_ID_PATTERN, maxLength: 63, description: 'the platform the ad is on' }),
    adId: Type.Optional(Type.String({ pattern: AD_ID_PATTERN, maxLength: 200, description: "the platform's ad id" })),
    url: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2048, description: 'exact address of the ad' })),
  },
  { additionalProperties: false, description: 'an ad: `adId`, or the `url` of an ad Vigie has already seen, or both' },
);

export const SubmitNoticeBody = Type.Object(
  {
    locations: Type.Array(NoticeLocationBody, { minItems: 1, maxItems: MAX_LOCATIONS_PER_NOTICE }),
    category: literalUnion(ABUSE_CATEGORIES, {
      description: 'what the ad is about; `minors` is handled first and needs no notifier identity (DSA Art. 16(2)(c))',
    }),
    keywords: Type.Optional(
      Type.Array(literalUnion(TDB_KEYWORDS), { maxItems: 10, uniqueItems: true }),
    ),
    explanation: Type.String({
      minLength: 10,
      maxLength: 5000,
      description: 'why the content is illegal or against the terms: a substantiated explanation (DSA Art. 16(2)(a))',
    }),
    notifier: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          email: Type.Optional(Type.String({ pattern: EMAIL_PATTERN, maxLength: 254 })),
        },
        { additionalProperties: false },
      ),
    ),
    goodFaith: Type.Boolean({ description: 'the notifier confirms the notice is accurate and complete, in good faith (DSA Art. 16(2)(d))' }),
    authorityOrder: Type.Optional(
      Type.Object(
        {
          authority: Type.String({ minLength: 1, maxLength: 200 }),
          reference: Type.String({ minLength: 1, maxLength: 200 }),
          legalBasis: Type.String({ minLength: 1, maxLength: 500 }),
          deadline: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$', description: 'removal deadline set by the order (UTC)' }),
        },
        { additionalProperties: false, description: 'only with an authority key' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type SubmitNoticeBody = Static<typeof SubmitNoticeBody>;

export const RejectNoticeBody = Type.Object(
  {
    reason: literalUnion(['not-substantiated', 'location-imprecise', 'location-not-found', 'duplicate', 'out-of-scope', 'abusive-notifier'] as const),
    explanation: Type.String({ minLength: 1, maxLength: 2000 }),
    manifestlyUnfounded: Type.Optional(Type.Boolean({ description: 'counts against the notifier (DSA Art. 23(2))' })),
  },
  { additionalProperties: false },
);
export type RejectNoticeBody = Static<typeof RejectNoticeBody>;

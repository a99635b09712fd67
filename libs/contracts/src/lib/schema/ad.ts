import { Type, type Static } from '@sinclair/typebox';
import {
  CURRENCY_CODE_PATTERN,
  LANGUAGE_CODE_PATTERN,
  MD5_HEX_PATTERN,
  PDQ_HEX_PATTERN,
  PHONE_PATTERN,
} from './patterns';
import { AdId, CountryCode, Email, HttpUrl, IsoTimestamp, StringEnum, Text } from './primitives';

const strict = { additionalProperties: false } as const;

/**
 * An image as the platform hashed it. Vigie never receives images, only these hashes.
 */
const ImageHash = () =>
  Type.Object(
    {
      pdq: Type.String({ pattern: PDQ_HEX_PATTERN, maxLength: 64, description: 'PDQ perceptual hash, 256 bits in hex' }),
      quality: Type.Integer({
        minimum: 0,
        maximum: 100,
        description: 'PDQ quality; matches on quality below 50 are discarded',
      }),
      md5: Type.Optional(Type.String({ pattern: MD5_HEX_PATTERN, maxLength: 32, description: 'exact-file hash, when known' })),
    },
    strict,
  );

/**
 * The fields of a classified ad, shared by `ad.submitted` (as the platform sent it) and the
 * ingest events (normalised). Kept as a property map so events can extend it flat.
 */
export const adProperties = () => ({
  platformAdId: AdId(),
  url: HttpUrl('public address of the ad'),
  category: Text(100, "the platform's section, e.g. `rencontres` or `massages`"),
  title: Type.String({ maxLength: 300 }),
  body: Type.String({ maxLength: 20000 }),
  price: Type.Union([
    Type.Object(
      {
        amount: Type.Number({ minimum: 0, maximum: 1_000_000_000 }),
        currency: Type.String({ pattern: CURRENCY_CODE_PATTERN, maxLength: 3, description: 'ISO 4217' }),
      },
      strict,
    ),
    Type.Null(),
  ]),
  location: Type.Object(
    {
      city: Type.Optional(Text(100)),
      postcode: Type.Optional(Text(16)),
      country: CountryCode(),
    },
    strict,
  ),
  contacts: Type.Object(
    {
      phones: Type.Array(Type.String({ pattern: PHONE_PATTERN, maxLength: 32 }), { maxItems: 20 }),
      emails: Type.Array(Email(), { maxItems: 20 }),
      handles: Type.Array(Text(100, 'messaging handle, e.g. `telegram:@name`'), { maxItems: 20 }),
    },
    strict,
  ),
  posterAccountId: Text(200, "the poster's account id on the platform"),
  images: Type.Array(ImageHash(), { maxItems: 50 }),
  language: Type.Optional(Type.String({ pattern: LANGUAGE_CODE_PATTERN, maxLength: 2, description: 'ISO 639-1' })),
  publishedAt: IsoTimestamp("when the ad went live, as the platform claims"),
  updatedAt: IsoTimestamp("last change on the platform, as the platform claims"),
  status: StringEnum(['live', 'removed'] as const),
});

export const AdSchema = () => Type.Object(adProperties(), strict);

/** A classified ad as a platform describes it. */
export type Ad = Static<ReturnType<typeof AdSchema>>;

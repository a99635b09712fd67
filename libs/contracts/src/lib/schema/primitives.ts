import { Type, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { UUID_V7_PATTERN } from '../uuidv7';
import {
  AD_ID_PATTERN,
  CODE_PATTERN,
  COUNTRY_CODE_PATTERN,
  EMAIL_PATTERN,
  HTTP_URL_PATTERN,
  ISO_DATE_PATTERN,
  ISO_TIMESTAMP_PATTERN,
  SHA256_HEX_PATTERN,
  VERSION_LABEL_PATTERN,
} from './patterns';

/** A closed set of strings; validation errors list the allowed values. */
export function StringEnum<const Values extends readonly [string, ...string[]]>(
  values: Values,
  options: { description?: string } = {},
): TUnion<TLiteral<Values[number]>[]> {
  return Type.Union(
    values.map((value) => Type.Literal(value)),
    options,
  );
}

export function Text(maxLength: number, description?: string) {
  return Type.String({ minLength: 1, maxLength, description });
}

export const IsoTimestamp = (description = 'UTC instant, ISO-8601 with milliseconds') =>
  Type.String({ pattern: ISO_TIMESTAMP_PATTERN, maxLength: 24, description });

export const IsoDate = (description = 'calendar date, YYYY-MM-DD') =>
  Type.String({ pattern: ISO_DATE_PATTERN, maxLength: 10, description });

export const UuidV7 = (description?: string) => Type.String({ pattern: UUID_V7_PATTERN, maxLength: 36, description });

export const AdId = () => Type.String({ pattern: AD_ID_PATTERN, maxLength: 200, description: "the platform's own ad id" });

export const HttpUrl = (description?: string) =>
  Type.String({ pattern: HTTP_URL_PATTERN, maxLength: 2048, description });

export const Email = () => Type.String({ pattern: EMAIL_PATTERN, maxLength: 254 });

export const CountryCode = () => Type.String({ pattern: COUNTRY_CODE_PATTERN, maxLength: 2, description: 'ISO 3166-1 alpha-2' });

export const Sha256Hex = (description?: string) => Type.String({ pattern: SHA256_HEX_PATTERN, maxLength: 64, description });

export const VersionLabel = (description?: string) => Type.String({ pattern: VERSION_LABEL_PATTERN, maxLength: 64, description });

export const Code = (description?: string) => Type.String({ pattern: CODE_PATTERN, maxLength: 64, description });

export const Nullable = <Schema extends TSchema>(schema: Schema) => Type.Union([schema, Type.Null()]);

export const NonNegativeInteger = (description?: string) => Type.Integer({ minimum: 0, description });

/** Share of an SLA window or a score: a number from 0 to 1 inclusive. */
export const Ratio = (description?: string) => Type.Number({ minimum: 0, maximum: 1, description });

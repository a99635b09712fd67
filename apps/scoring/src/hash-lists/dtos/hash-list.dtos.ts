import { Type, type Static } from '@sinclair/typebox';

export const MAX_HASHES_PER_IMPORT = 100_000;
/** A list id: lower-case letters, digits, dots, dashes and underscores. */
export const LIST_ID_PATTERN = '^[a-z0-9][a-z0-9._-]{0,99}$';

export const HashListImportBody = Type.Object(
  {
    listId: Type.String({ pattern: LIST_ID_PATTERN, description: 'e.g. `ofac-2026-11`' }),
    source: Type.String({ minLength: 1, maxLength: 200, description: 'who publishes the list (an authority, an NGO)' }),
    version: Type.String({ minLength: 1, maxLength: 64 }),
    hashes: Type.Array(
      Type.Object(
        {
          pdq: Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'PDQ hash, 256 bits in hex' }),
          quality: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'default 100; below 50 is ignored' })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_HASHES_PER_IMPORT, description: `up to ${MAX_HASHES_PER_IMPORT} per request; import large lists in several requests` },
    ),
  },
  { additionalProperties: false },
);
export type HashListImportBody = Static<typeof HashListImportBody>;

export const HashListWithdrawalBody = Type.Object(
  {
    hashes: Type.Array(Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'PDQ hash, 256 bits in hex' }), {
      minItems: 1,
      maxItems: MAX_HASHES_PER_IMPORT,
      description: `up to ${MAX_HASHES_PER_IMPORT} per request`,
    }),
  },
  { additionalProperties: false },
);
export type HashListWithdrawalBody = Static<typeof HashListWithdrawalBody>;

import { Type, type Static } from '@sinclair/typebox';
import { PLATFORM_ID_PATTERN } from '@vigie/contracts';

export const CreatePlatformBody = Type.Object(
  {
    id: Type.String({ pattern: PLATFORM_ID_PATTERN, maxLength: 63, description: 'lowercase slug, e.g. `demo-annonces`' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    integrationMode: Type.Union([Type.Literal('http'), Type.Literal('kafka')], {
      description: 'how the platform sends its ads: HTTP API or straight to ads.submitted.v1',
    }),
    webhookUrl: Type.Optional(
      Type.String({ pattern: '^https?://', maxLength: 2048, description: 'where takedown commands are delivered' }),
    ),
  },
  { additionalProperties: false },
);
export type CreatePlatformBody = Static<typeof CreatePlatformBody>;

export const CreateApiKeyBody = Type.Object(
  { label: Type.String({ minLength: 1, maxLength: 200, description: 'what the key is for, e.g. `nightly backfill`' }) },
  { additionalProperties: false },
);
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;

export interface PlatformView {
  id: string;
  name: string;
  integrationMode: 'http' | 'kafka';
  webhookUrl: string | null;
  hasWebhookSecret: boolean;
  createdAt: string;
  apiKeys: { id: string; label: string; createdAt: string; revokedAt: string | null }[];
}

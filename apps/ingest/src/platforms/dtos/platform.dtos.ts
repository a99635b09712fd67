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

/** Roles an admin can issue keys for besides platforms (a platform's own keys come with it). */
export const PRINCIPAL_ROLES = ['moderator', 'officer', 'trusted-flagger', 'authority', 'regulator', 'admin'] as const;

export const CreatePrincipalKeyBody = Type.Object(
  {
    role: Type.Union(PRINCIPAL_ROLES.map((role) => Type.Literal(role)), {
      description: 'moderators and officers may be bound to one platform; the other roles are operator-wide',
    }),
    principalId: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$',
      description: 'pseudonymous id recorded on their actions: `mod-017`, a trusted-flagger registration `FR-TF-0042`, `ofac`',
    }),
    platformId: Type.Optional(Type.String({ pattern: PLATFORM_ID_PATTERN, maxLength: 63, description: 'moderator / officer of this platform only' })),
    label: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type CreatePrincipalKeyBody = Static<typeof CreatePrincipalKeyBody>;

export interface PrincipalKeyView {
  id: string;
  role: string;
  principalId: string | null;
  platformId: string | null;
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

/** What notice-and-takedown needs to send a platform its takedown commands. */
export interface DeliveryTargetView {
  platformId: string;
  integrationMode: 'http' | 'kafka';
  webhookUrl: string | null;
  webhookSecret: string | null;
}

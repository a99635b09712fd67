import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-definition';
import { ED25519_SIGNATURE_BASE64_PATTERN } from '../schema/patterns';
import { IsoTimestamp, NonNegativeInteger, Nullable, Sha256Hex, Text } from '../schema/primitives';
import { Services } from '../services';
import { Topics } from '../topics';
import { Story } from './example-story';

/**
 * A signed commitment to every hash-chain head of one platform (Certificate Transparency
 * style, RFC 9162): anyone holding the public key can check an evidence bundle against it
 * offline. Keyed by the tenant-wide subject `<platform>:*`.
 */
export const auditCheckpoint = defineEvent({
  type: 'audit.checkpoint',
  version: 1,
  topic: Topics.AuditCheckpoints,
  producer: Services.Audit,
  summary: "A signed checkpoint over all of a platform's audit hash-chain heads.",
  dataSchema: Type.Object(
    {
      sequence: Type.Integer({ minimum: 1, description: "checkpoint number, per platform, without gaps" }),
      issuedAt: IsoTimestamp(),
      coversUntil: IsoTimestamp('recording time of the last audit record included'),
      chainCount: NonNegativeInteger('number of subject chains (Merkle leaves)'),
      recordCount: NonNegativeInteger('audit records covered, all chains together'),
      root: Sha256Hex('Merkle tree head over the chain heads, leaves ordered by subject'),
      previousRoot: Nullable(Sha256Hex()),
      algorithm: Type.Literal('ed25519'),
      keyId: Text(64, 'identifies the public key that verifies the signature'),
      signature: Type.String({
        pattern: ED25519_SIGNATURE_BASE64_PATTERN,
        maxLength: 88,
        description: 'Ed25519 signature over the canonical JSON of the other fields, base64',
      }),
    },
    { additionalProperties: false },
  ),
  example: {
    id: Story.events.auditCheckpoint,
    type: 'audit.checkpoint',
    version: 1,
    occurredAt: '2026-11-23T09:00:00.000Z',
    tenant: Story.tenant,
    subject: `${Story.tenant}:*`,
    correlationId: null,
    causationId: null,
    source: 'audit',
    data: {
      sequence: 4211,
      issuedAt: '2026-11-23T09:00:00.000Z',
      coversUntil: '2026-11-23T08:59:59.874Z',
      chainCount: 18_344,
      recordCount: 129_870,
      root: '7f3a9c1e5b2d8f4a6c0e9b3d7f1a5c8e2b6d0f4a8c3e7b1d5f9a2c6e0b4d8f3a',
      previousRoot: '2c8e4a0f6b1d7c3e9a5f0b2d8c4e6a1f7b3d9c5e0a2f8b4d6c1e7a3f9b5d0c2e',
      algorithm: 'ed25519',
      keyId: 'audit-2026-q4',
      signature: '4kh6jvU1RcSbdwtoF/cliohLKaLRA8yb+KECRZWb0P0hkzg8laV8qb5qEJe92xSuVGwteeGZcExuZJGW+UyTCw==',
    },
  },
});

export const AUDIT_CHECKPOINTS_EVENTS = [auditCheckpoint] as const;

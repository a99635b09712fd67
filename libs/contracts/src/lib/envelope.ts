import { Type, type TSchema } from '@sinclair/typebox';
import { PLATFORM_ID_PATTERN, SOURCE_PATTERN, SUBJECT_PATTERN } from './schema/patterns';
import { IsoTimestamp, Nullable, UuidV7 } from './schema/primitives';

/** Event type names: dotted lowercase words, e.g. `case.knowledge-established`. */
export const EVENT_TYPE_PATTERN = '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$';

/**
 * Every event on every topic. Tracing and delivery metadata travel in Kafka headers, not here:
 * the envelope is closed (`additionalProperties: false`) so a misspelt field is an error rather
 * than a silently missing fact in the audit log.
 */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  /** UUIDv7, unique per event: the dedupe key of every consumer inbox. */
  id: string;
  type: TType;
  /** Version of this event type's `data` schema. */
  version: number;
  /** Business time of the fact (UTC, ms). SLA math runs on this, not on broker time. */
  occurredAt: string;
  /** Platform the fact belongs to. */
  tenant: string;
  /** `<platform>:<adId>`; also the Kafka key, so one ad's facts stay ordered in one partition. */
  subject: string;
  /** Case the event belongs to, when there is one. */
  correlationId: string | null;
  /** Id of the event that caused this one. */
  causationId: string | null;
  /** Emitting service, e.g. `ingest`. */
  source: string;
  data: TData;
}

export function envelopeSchemaOf<TTypeSchema extends TSchema, TVersionSchema extends TSchema, TDataSchema extends TSchema>(
  parts: { type: TTypeSchema; version: TVersionSchema; data: TDataSchema },
  options: { title?: string; description?: string } = {},
) {
  return Type.Object(
    {
      id: UuidV7('UUIDv7 (RFC 9562), unique per event; consumers dedupe on it'),
      type: parts.type,
      version: parts.version,
      occurredAt: IsoTimestamp('business time of the fact: UTC, ISO-8601 with milliseconds'),
      tenant: Type.String({ pattern: PLATFORM_ID_PATTERN, maxLength: 63, description: 'platform id' }),
      subject: Type.String({
        pattern: SUBJECT_PATTERN,
        maxLength: 300,
        description: '`<platform>:<adId>` (or `<platform>:*` for tenant-wide facts); the Kafka message key',
      }),
      correlationId: Nullable(Type.String({ minLength: 1, maxLength: 100, description: 'case id' })),
      causationId: Nullable(UuidV7('id of the event that caused this one')),
      source: Type.String({ pattern: SOURCE_PATTERN, maxLength: 100, description: 'emitting service, e.g. `ingest`' }),
      data: parts.data,
    },
    { additionalProperties: false, ...options },
  );
}

/** The envelope of any event, its `data` left to the per-event schema. */
export const EventEnvelopeSchema = envelopeSchemaOf({
  type: Type.String({ pattern: EVENT_TYPE_PATTERN, maxLength: 100 }),
  version: Type.Integer({ minimum: 1 }),
  data: Type.Unknown(),
});

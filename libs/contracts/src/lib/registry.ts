import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { EventEnvelopeSchema, type EventEnvelope } from './envelope';
import { ADS_INGESTED_EVENTS } from './events/ads-ingested.events';
import { ADS_SCORED_EVENTS } from './events/ads-scored.events';
import { ADS_SUBMITTED_EVENTS } from './events/ads-submitted.events';
import { AUDIT_CHECKPOINTS_EVENTS } from './events/audit-checkpoints.events';
import { CASES_EVENTS } from './events/cases.events';
import { NOTICES_EVENTS } from './events/notices.events';
import { SLA_ALERTS_EVENTS } from './events/sla-alerts.events';
import { TAKEDOWN_COMMANDS_EVENTS } from './events/takedown-commands.events';
import { TAKEDOWN_RESULTS_EVENTS } from './events/takedown-results.events';
import type { TopicName } from './topics';
import { uuidv7 } from './uuidv7';
import { describeErrors, type ContractError } from './validation-errors';

/** Every event type and version on the wire, in topic order. */
export const EVENT_DEFINITIONS = [
  ...ADS_SUBMITTED_EVENTS,
  ...ADS_INGESTED_EVENTS,
  ...ADS_SCORED_EVENTS,
  ...NOTICES_EVENTS,
  ...CASES_EVENTS,
  ...TAKEDOWN_COMMANDS_EVENTS,
  ...TAKEDOWN_RESULTS_EVENTS,
  ...SLA_ALERTS_EVENTS,
  ...AUDIT_CHECKPOINTS_EVENTS,
] as const;

export type AnyEventDefinition = (typeof EVENT_DEFINITIONS)[number];
export type EventType = AnyEventDefinition['type'];
export type EventDefinitionOf<TType extends EventType> = Extract<AnyEventDefinition, { type: TType }>;
export type EventData<TType extends EventType> = Static<EventDefinitionOf<TType>['dataSchema']>;
export type EventOf<TType extends EventType> = EventEnvelope<TType, EventData<TType>>;
/** Any valid event; `switch (event.type)` narrows `data`. */
export type AnyEvent = { [TType in EventType]: EventOf<TType> }[EventType];

export type ValidationResult = { ok: true; event: AnyEvent } | { ok: false; errors: ContractError[] };

const definitionsByKey = new Map<string, AnyEventDefinition>(
  EVENT_DEFINITIONS.map((definition) => [definitionKey(definition.type, definition.version), definition]),
);

/** Producers emit the highest version they know; consumers accept every registered version. */
const currentDefinitions = new Map<string, AnyEventDefinition>();
for (const definition of EVENT_DEFINITIONS) {
  const current = currentDefinitions.get(definition.type);
  if (!current || current.version < definition.version) {
    currentDefinitions.set(definition.type, definition);
  }
}

function definitionKey(type: string, version: number): string {
  return `${type}@${version}`;
}

export function getEventDefinition(type: string, version: number): AnyEventDefinition | undefined {
  return definitionsByKey.get(definitionKey(type, version));
}

/** The topic an event is published to. */
export function topicOf(event: Pick<EventEnvelope, 'type' | 'version'>): TopicName {
  const definition = getEventDefinition(event.type, event.version);
  if (!definition) {
    throw new RangeError(`Unknown event ${event.type} version ${event.version}`);
  }
  return definition.topic;
}

/**
 * Compiling a schema costs far more than checking with it, and validation sits on the hot
 * path of every consumer, so each schema is compiled once, on first use.
 */
const compiledChecks = new Map<TSchema, TypeCheck<TSchema>>();

function compiled<TCompiled extends TSchema>(schema: TCompiled): TypeCheck<TCompiled> {
  let check = compiledChecks.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiledChecks.set(schema, check);
  }
  return check as TypeCheck<TCompiled>;
}

export function validateEvent(value: unknown): ValidationResult {
  const envelopeCheck = compiled(EventEnvelopeSchema);
  if (!envelopeCheck.Check(value)) {
    return { ok: false, errors: describeErrors(envelopeCheck.Errors(value)) };
  }
  const definition = getEventDefinition(value.type, value.version);
  if (!definition) {
    return {
      ok: false,
      errors: [{ path: '/type', message: `Unknown event type ${JSON.stringify(value.type)} version ${value.version}` }],
    };
  }
  if (!value.subject.startsWith(`${value.tenant}:`)) {
    return {
      ok: false,
      errors: [{ path: '/subject', message: `Subject must belong to tenant ${JSON.stringify(value.tenant)}` }],
    };
  }
  const dataCheck = compiled(definition.dataSchema);
  if (!dataCheck.Check(value.data)) {
    return { ok: false, errors: describeErrors(dataCheck.Errors(value.data), '/data') };
  }
  return { ok: true, event: value as AnyEvent };
}

/**
 * Validates only the `data` of an event, before an envelope exists (e.g. an ad a platform
 * posts over HTTP). Error paths are relative to `data` (`/location/country`).
 */
export function validateEventData<TType extends EventType>(
  type: TType,
  data: unknown,
  version = 1,
): { ok: true; data: EventData<TType> } | { ok: false; errors: ContractError[] } {
  const definition = getEventDefinition(type, version);
  if (!definition) {
    return { ok: false, errors: [{ path: '', message: `Unknown event type ${JSON.stringify(type)} version ${version}` }] };
  }
  const dataCheck = compiled(definition.dataSchema);
  if (!dataCheck.Check(data)) return { ok: false, errors: describeErrors(dataCheck.Errors(data)) };
  return { ok: true, data: data as EventData<TType> };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses and validates a Kafka message value. A tombstone (`null`) is not an event. */
export function decodeEvent(bytes: Buffer | string | null): ValidationResult {
  if (bytes === null) {
    return { ok: false, errors: [{ path: '', message: 'Empty message (tombstone): expected a JSON event' }] };
  }
  let text: string;
  try {
    text = typeof bytes === 'string' ? bytes : strictUtf8.decode(bytes);
  } catch {
    // Replacement characters would silently change the evidence text: refuse instead.
    return { ok: false, errors: [{ path: '', message: 'Invalid UTF-8: the message is not valid UTF-8 text' }] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      errors: [{ path: '', message: `Invalid JSON: ${error instanceof Error ? error.message : String(error)}` }],
    };
  }
  return validateEvent(value);
}

export function encodeEvent(event: EventEnvelope): Buffer {
  return Buffer.from(JSON.stringify(event), 'utf8');
}

export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';

  constructor(
    readonly eventType: string,
    readonly errors: ContractError[],
  ) {
    const [first] = errors;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    super(
      first
        ? `${eventType} violates its contract at ${first.path || '(root)'}: ${first.message}${more}`
        : `${eventType} violates its contract`,
    );
  }
}

export interface CreateEventInput<TType extends EventType> {
  tenant: string;
  subject: string;
  data: EventData<TType>;
  /** Emitting service, e.g. `ingest`. */
  source: string;
  correlationId?: string | null;
  causationId?: string | null;
  /** Business time of the fact; now when omitted. */
  occurredAt?: Date | string;
  /** Event id; a fresh UUIDv7 when omitted. */
  id?: string;
}

/** Builds the current version of an event and validates it; throws {@link ContractViolationError}. */
export function createEvent<TType extends EventType>(type: TType, input: CreateEventInput<TType>): EventOf<TType> {
  const definition = currentDefinitions.get(type);
  if (!definition) {
    throw new ContractViolationError(type, [{ path: '/type', message: `Unknown event type ${JSON.stringify(type)}` }]);
  }
  const event = {
    id: input.id ?? uuidv7(),
    type,
    version: definition.version,
    occurredAt: toTimestamp(type, input.occurredAt ?? new Date()),
    tenant: input.tenant,
    subject: input.subject,
    correlationId: input.correlationId ?? null,
    causationId: input.causationId ?? null,
    source: input.source,
    data: input.data,
  };
  const result = validateEvent(event);
  if (!result.ok) {
    throw new ContractViolationError(type, result.errors);
  }
  return event;
}

function toTimestamp(type: string, occurredAt: Date | string): string {
  if (typeof occurredAt === 'string') {
    return occurredAt;
  }
  if (Number.isNaN(occurredAt.getTime())) {
    throw new ContractViolationError(type, [{ path: '/occurredAt', message: 'Invalid Date' }]);
  }
  return occurredAt.toISOString();
}


export { buildAsyncApiDocument, ASYNCAPI_KAFKA_HOST, CONTRACTS_VERSION, type AsyncApiDocument } from './lib/asyncapi';
export { EventEnvelopeSchema, envelopeSchemaOf, type EventEnvelope } from './lib/envelope';
export { defineEvent, type EventDefinition } from './lib/event-definition';
export { jsonSchemaFor, JSON_SCHEMA_DRAFT_07, type JsonSchema } from './lib/json-schema';
export {
  ContractViolationError,
  EVENT_DEFINITIONS,
  createEvent,
  decodeEvent,
  encodeEvent,
  getEventDefinition,
  topicOf,
  validateEvent,
  validateEventData,
  type AnyEvent,
  type AnyEventDefinition,
  type CreateEventInput,
  type EventData,
  type EventDefinitionOf,
  type EventOf,
  type EventType,
  type ValidationResult,
} from './lib/registry';
export {
  AD_ID_PATTERN,
  EMAIL_PATTERN,
  HTTP_URL_PATTERN,
  ISO_DATE_PATTERN,
  ISO_TIMESTAMP_PATTERN,
  PLATFORM_ID_PATTERN,
  SUBJECT_PATTERN,
  TENANT_WIDE_KEY,
} from './lib/schema/patterns';
export {
  TDB_ACCOUNT_TYPES,
  TDB_AUTOMATED_DECISIONS,
  TDB_CONTENT_TYPES,
  TDB_DECISION_ACCOUNTS,
  TDB_DECISION_VISIBILITIES,
  TDB_KEYWORDS,
  TDB_PUID_PATTERN,
  TDB_SOURCE_TYPES,
  TDB_STATEMENT_CATEGORIES,
  TDB_TERRITORIAL_SCOPE_CODES,
} from './lib/schema/statement-of-reasons';
export { AdSchema, type Ad } from './lib/schema/ad';
export { Services, type ServiceName } from './lib/services';
export {
  DEFAULT_PARTITIONS,
  TOPIC_CATALOGUE,
  Topics,
  allTopicNames,
  dlqTopic,
  partitionsFor,
  subjectFor,
  tenantSubject,
  type DlqTopicName,
  type TopicName,
  type TopicSpec,
} from './lib/topics';
export {
  UUID_V7_PATTERN,
  createUuidV7Generator,
  isUuidV7,
  uuidV7Timestamp,
  uuidv7,
  uuidV7Floor,
  type UuidV7GeneratorOptions,
} from './lib/uuidv7';
export { MAX_REPORTED_ERRORS, type ContractError } from './lib/validation-errors';
export {
  ABUSE_CATEGORIES,
  AUTOMATION_LEVELS,
  DECISION_ACTIONS,
  DECISION_GROUNDS,
  DELIVERY_CHANNELS,
  NOTICE_SOURCE_TYPES,
  RISK_BANDS,
  SLA_KINDS,
  TAKEDOWN_ACTIONS,
} from './lib/schema/vocabulary';

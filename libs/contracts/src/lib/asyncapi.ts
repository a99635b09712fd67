import { EVENT_DEFINITIONS, type AnyEventDefinition } from './registry';
import { jsonSchemaFor, type JsonSchema } from './json-schema';
import { ISO_TIMESTAMP_PATTERN, SUBJECT_PATTERN } from './schema/patterns';
import type { ServiceName } from './services';
import { TOPIC_CATALOGUE, allTopicNames, dlqTopic, type TopicSpec } from './topics';

/** Version of the event contracts as a whole, published as the AsyncAPI `info.version`. */
export const CONTRACTS_VERSION = '1.0.0';

/** Where a local broker listens; deployments substitute their own bootstrap servers. */
export const ASYNCAPI_KAFKA_HOST = 'localhost:9092';

const KAFKA_BINDING_VERSION = '0.5.0';
const DEAD_LETTER_MESSAGE_ID = 'deadLetter';

type AsyncApiObject = { [field: string]: unknown };

export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: { title: string; version: string; description: string };
  defaultContentType: string;
  servers: Record<string, AsyncApiObject>;
  channels: Record<string, AsyncApiObject>;
  operations: Record<string, AsyncApiObject>;
  components: { messages: Record<string, AsyncApiObject> };
}

/**
 * The AsyncAPI 3.0 description of every topic, its DLQ twin and every event, derived from the
 * registry so the document cannot drift from what services validate.
 */
export function buildAsyncApiDocument(): AsyncApiDocument {
  const channels: Record<string, AsyncApiObject> = {};
  const operations: Record<string, AsyncApiObject> = {};
  const messages: Record<string, AsyncApiObject> = {};

  for (const topic of TOPIC_CATALOGUE) {
    const definitions = EVENT_DEFINITIONS.filter((definition) => definition.topic === topic.name);
    const channelId = identifierOf(topic.name);
    const channelMessageIds = definitions.map(messageIdOf);
    for (const definition of definitions) {
      messages[messageIdOf(definition)] = eventMessage(definition);
    }
    channels[channelId] = {
      address: topic.name,
      title: topic.name,
      description: topic.description,
      messages: messageRefs(channelMessageIds),
      bindings: { kafka: { topic: topic.name, partitions: topic.partitions, bindingVersion: KAFKA_BINDING_VERSION } },
    };
    operations[`send${capitalise(channelId)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${channelId}` },
      summary: `Publish to ${topic.name}`,
      description: sendersDescription(definitions),
      messages: channelMessageIds.map((messageId) => ({ $ref: `#/channels/${channelId}/messages/${messageId}` })),
    };
    operations[`receive${capitalise(channelId)}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${channelId}` },
      summary: `Consume ${topic.name}`,
      description: `Consumed by ${describeServices(topic.consumers)}${topic.consumers.length > 1 ? ', each in its own consumer group' : ''}.`,
      messages: channelMessageIds.map((messageId) => ({ $ref: `#/channels/${channelId}/messages/${messageId}` })),
    };

    if (topic.consumed) {
      addDeadLetterChannel(topic, channels, operations);
    }
  }
  messages[DEAD_LETTER_MESSAGE_ID] = deadLetterMessage();

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Vigie events',
      version: CONTRACTS_VERSION,
      description:
        'Events exchanged by the Vigie services and the platforms plugged into them. Every message value is a JSON envelope (`id`, `type`, `version`, `occurredAt`, `tenant`, `subject`, `correlationId`, `causationId`, `source`, `data`) and every message key is its subject, `<platform>:<adId>`, so all facts about one ad stay ordered in one partition. Delivery is at least once: consumers dedupe on `id`. Messages a consumer cannot process go, unchanged, to the `.dlq` twin of their topic.',
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: {
        host: ASYNCAPI_KAFKA_HOST,
        protocol: 'kafka',
        description: 'Apache Kafka (KRaft). Local default; set KAFKA_BROKERS to use another cluster.',
      },
    },
    channels,
    operations,
    components: { messages },
  };
}

function addDeadLetterChannel(
  topic: TopicSpec,
  channels: Record<string, AsyncApiObject>,
  operations: Record<string, AsyncApiObject>,
): void {
  const address = dlqTopic(topic.name);
  const channelId = identifierOf(address);
  channels[channelId] = {
    address,
    title: address,
    description: `Dead letters of ${topic.name}: messages its consumers could not process, with the reason in headers.`,
    messages: messageRefs([DEAD_LETTER_MESSAGE_ID]),
    bindings: { kafka: { topic: address, partitions: topic.partitions, bindingVersion: KAFKA_BINDING_VERSION } },
  };
  const messageRef = [{ $ref: `#/channels/${channelId}/messages/${DEAD_LETTER_MESSAGE_ID}` }];
  operations[`send${capitalise(channelId)}`] = {
    action: 'send',
    channel: { $ref: `#/channels/${channelId}` },
    summary: `Dead-letter a message of ${topic.name}`,
    description: `Sent by ${describeServices(topic.consumers)} when a message of ${topic.name} fails validation or processing.`,
    messages: messageRef,
  };
  operations[`receive${capitalise(channelId)}`] = {
    action: 'receive',
    channel: { $ref: `#/channels/${channelId}` },
    summary: `Inspect or replay dead letters of ${topic.name}`,
    description: 'Read by operators and replay tooling; no service consumes dead letters automatically.',
    messages: messageRef,
  };
}

function eventMessage(definition: AnyEventDefinition): AsyncApiObject {
  return {
    name: definition.type,
    title: `${definition.type} v${definition.version}`,
    summary: definition.summary,
    contentType: 'application/json',
    correlationId: {
      location: '$message.payload#/correlationId',
      description: 'case id, when the event belongs to a case',
    },
    headers: eventHeaders(),
    payload: payloadSchema(jsonSchemaFor(definition.type, definition.version)),
    bindings: {
      kafka: {
        key: {
          type: 'string',
          pattern: SUBJECT_PATTERN,
          maxLength: 300,
          description: 'the event subject, `<platform>:<adId>`: keeps one ad’s facts ordered in one partition',
        },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
    examples: [{ name: 'example', summary: definition.summary, payload: definition.example }],
  };
}

/** AsyncAPI schemas are embedded, not standalone documents: no `$schema` or `$id`. */
function payloadSchema(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...payload } = schema;
  return payload;
}

const TRACEPARENT_PATTERN = '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-.*)?$';

/** W3C Trace Context headers: every message is a span of its ad's trace. */
function traceHeaders(): Record<string, JsonSchema> {
  return {
    traceparent: {
      type: 'string',
      pattern: TRACEPARENT_PATTERN,
      description:
        "W3C Trace Context: the span of this event in its ad's trace (one trace from intake to takedown). Producers should send it; a missing or malformed one starts a new trace.",
    },
    tracestate: { type: 'string', maxLength: 512, description: 'W3C Trace Context vendor state, carried along with the trace' },
  };
}

function eventHeaders(): JsonSchema {
  return {
    type: 'object',
    properties: {
      'vigie-event-id': { type: 'string', format: 'uuid', description: 'the envelope id, written by Vigie' },
      'vigie-event-type': { type: 'string', description: 'the envelope type, written by Vigie' },
      'vigie-correlation-id': { type: 'string', description: 'the case id, when the event belongs to a case' },
      ...traceHeaders(),
    },
  };
}

function deadLetterMessage(): AsyncApiObject {
  const digits = { type: 'string', pattern: '^\\d+$' };
  return {
    name: 'dead-letter',
    title: 'Dead letter',
    summary: 'A message a consumer could not process, kept byte for byte, with the reason in headers.',
    contentType: 'application/octet-stream',
    headers: {
      type: 'object',
      required: [
        'vigie-dlq-error',
        'vigie-dlq-original-topic',
        'vigie-dlq-original-partition',
        'vigie-dlq-original-offset',
        'vigie-dlq-failed-at',
      ],
      properties: {
        'vigie-dlq-error': {
          type: 'string',
          maxLength: 2001,
          description: 'why the message was rejected, e.g. the first contract violation and its JSON pointer',
        },
        'vigie-dlq-original-topic': {
          type: 'string',
          enum: allTopicNames(),
          description: 'topic the message was consumed from',
        },
        'vigie-dlq-original-partition': { ...digits, description: 'partition of the original message' },
        'vigie-dlq-original-offset': { ...digits, description: 'offset of the original message' },
        'vigie-dlq-failed-at': {
          type: 'string',
          pattern: ISO_TIMESTAMP_PATTERN,
          description: 'when the consumer gave up on the message (UTC, ms)',
        },
        'vigie-dlq-consumer-group': { type: 'string', description: 'consumer group that rejected the message' },
        ...traceHeaders(),
      },
    },
    payload: {
      type: 'string',
      description: 'the original message value, unchanged: usually a JSON event, possibly invalid JSON or empty',
    },
    bindings: {
      kafka: {
        key: { type: 'string', description: 'the original message key, unchanged' },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

function sendersDescription(definitions: readonly AnyEventDefinition[]): string {
  const typesByProducer = new Map<ServiceName, string[]>();
  for (const definition of definitions) {
    typesByProducer.set(definition.producer, [...(typesByProducer.get(definition.producer) ?? []), definition.type]);
  }
  const clauses = [...typesByProducer].map(
    ([producer, types]) => `${describeService(producer)} send${producer === 'platform' ? '' : 's'} ${types.join(', ')}`,
  );
  return `${clauses.join('; ')}.`.replace(/^./, (first) => first.toUpperCase());
}

function describeServices(services: readonly ServiceName[]): string {
  const names = services.map(describeService);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names.join('');
}

function describeService(service: ServiceName): string {
  return service === 'platform' ? 'platforms' : `the ${service} service`;
}

function messageRefs(messageIds: readonly string[]): Record<string, { $ref: string }> {
  return Object.fromEntries(messageIds.map((messageId) => [messageId, { $ref: `#/components/messages/${messageId}` }]));
}

function messageIdOf(definition: AnyEventDefinition): string {
  return identifierOf(`${definition.type}.v${definition.version}`);
}

/** `takedown.delivery-failed.v1` becomes `takedownDeliveryFailedV1`: safe in every AsyncAPI map and `$ref`. */
function identifierOf(name: string): string {
  return name
    .split(/[.-]/)
    .map((part, index) => (index === 0 ? part : capitalise(part)))
    .join('');
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export { BatchEventConsumer } from './lib/consumer/batch-event-consumer';
export type { BatchEventConsumerOptions, EventBatch, EventBatchHandler } from './lib/consumer/batch-event-consumer';
export type { ConsumedEvent } from './lib/consumer/consumed-event';
export { deadLetterRecord } from './lib/consumer/dead-letter';
export { PoisonMessageError } from './lib/consumer/poison-message.error';
export { isDatabaseUnavailable, isTransientDatabaseError } from './lib/database/database-errors';
export { toOutgoingRecord } from './lib/event-records';
export { MessageHeaders } from './lib/headers';
export { Inbox } from './lib/inbox/inbox';
export { createKafkaClient, parseBrokerList } from './lib/kafka/kafka-config';
export type { KafkaClientOptions } from './lib/kafka/kafka-config';
export { KafkaEventPublisher } from './lib/kafka/kafka-event-publisher';
export type { PublishedCounter } from './lib/kafka/kafka-event-publisher';
export { ThreadedKafkaPublisher } from './lib/kafka/threaded-kafka-publisher';
export type { ThreadedKafkaPublisherOptions } from './lib/kafka/threaded-kafka-publisher';
export { ensureTopics } from './lib/kafka/topic-admin';
export type { TopicSpec } from './lib/kafka/topic-admin';
export { MessagingMetrics } from './lib/metrics/messaging-metrics';
export type { OutboxBacklog } from './lib/metrics/messaging-metrics';
export { KafkaEventTransport } from './lib/nest/kafka-event.transport';
export type { KafkaEventTransportOptions } from './lib/nest/kafka-event.transport';
export { Outbox } from './lib/outbox/outbox';
export type { EnqueueOptions, OutboxOptions, PendingRecord } from './lib/outbox/outbox';
export { OutboxRelay } from './lib/outbox/outbox-relay';
export type { OutboxRelayOptions } from './lib/outbox/outbox-relay';
export type { EventPublisher, MessageCoordinates, OutgoingRecord } from './lib/ports';
export { createInboxAppliedAtIndex, createMessagingTables, dropInboxAppliedAtIndex, dropMessagingTables, quoteSchema } from './lib/schema/messaging-tables';
export {
  activeSpanContext,
  AsyncLocalStorageContextManager,
  childSpanContext,
  formatTraceparent,
  injectTraceHeaders,
  installTraceContext,
  newSpanId,
  newTraceContext,
  parseTraceparent,
  runInSpanContext,
  spanContextFromHeaders,
  TraceHeaders,
  traceLogFields,
  W3CTraceContextPropagator,
} from './lib/tracing/trace-context';
export type { HeaderCarrier } from './lib/tracing/trace-context';
export { assignTraces, eventsWithoutCause } from './lib/tracing/outgoing-traces';
export type { SubjectTraceLookup, TraceAssignmentInput } from './lib/tracing/outgoing-traces';
export { currentTraceScope, runInTraceScope, TraceScope, traceIdOf, traceOf } from './lib/tracing/trace-scope';
export { workerThreadExecArgv } from './lib/threads/worker-exec-argv';

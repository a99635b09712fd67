/** Kafka header names Vigie writes; DLQ headers are also described in the AsyncAPI document. */
export const MessageHeaders = {
  eventId: 'vigie-event-id',
  eventType: 'vigie-event-type',
  correlationId: 'vigie-correlation-id',
  /** W3C Trace Context: every published event is a span of its ad's trace. */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  dlqError: 'vigie-dlq-error',
  dlqOriginalTopic: 'vigie-dlq-original-topic',
  dlqOriginalPartition: 'vigie-dlq-original-partition',
  dlqOriginalOffset: 'vigie-dlq-original-offset',
  dlqFailedAt: 'vigie-dlq-failed-at',
  dlqConsumerGroup: 'vigie-dlq-consumer-group',
} as const;

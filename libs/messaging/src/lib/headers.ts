/** Kafka header names Vigie writes; DLQ headers are also described in the AsyncAPI document. */
export const MessageHeaders = {
  eventId: 'vigie-event-id',
  eventType: 'vigie-event-type',
  correlationId: 'vigie-correlation-id',
  dlqError: 'vigie-dlq-error',
  dlqOriginalTopic: 'vigie-dlq-original-topic',
  dlqOriginalPartition: 'vigie-dlq-original-partition',
  dlqOriginalOffset: 'vigie-dlq-original-offset',
  dlqFailedAt: 'vigie-dlq-failed-at',
  dlqConsumerGroup: 'vigie-dlq-consumer-group',
} as const;

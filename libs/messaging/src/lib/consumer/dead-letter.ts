import { dlqTopic } from '@vigie/contracts';
import type { KafkaMessage } from 'kafkajs';
import { MessageHeaders } from '../headers';
import type { MessageCoordinates, OutgoingRecord } from '../ports';
import { injectTraceHeaders, spanContextFromHeaders } from '../tracing/trace-context';

const maxReasonLength = 2000;

/**
 * A dead letter keeps the original bytes and key untouched and says, in headers, why it
 * failed and where it came from, so it can be inspected and replayed onto its topic. It stays
 * in the original message's trace (same `traceparent`), when that was valid.
 */
export function deadLetterRecord(
  message: Pick<KafkaMessage, 'key' | 'value'>,
  coordinates: MessageCoordinates,
  consumerGroup: string,
  reason: string,
  failedAt: Date = new Date(),
): OutgoingRecord {
  const headers: Record<string, string> = {
    [MessageHeaders.dlqError]: reason.length > maxReasonLength ? `${reason.slice(0, maxReasonLength)}…` : reason,
    [MessageHeaders.dlqOriginalTopic]: coordinates.topic,
    [MessageHeaders.dlqOriginalPartition]: String(coordinates.partition),
    [MessageHeaders.dlqOriginalOffset]: coordinates.offset,
    [MessageHeaders.dlqFailedAt]: failedAt.toISOString(),
    [MessageHeaders.dlqConsumerGroup]: consumerGroup,
  };
  const trace = spanContextFromHeaders(coordinates.headers);
  if (trace) injectTraceHeaders(headers, trace);
  return {
    topic: dlqTopic(coordinates.topic),
    key: message.key ? message.key.toString('utf8') : '',
    value: message.value ?? Buffer.alloc(0),
    headers,
  };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

import type { SpanContext } from '@opentelemetry/api';
import { encodeEvent, getEventDefinition, type AnyEvent } from '@vigie/contracts';
import { MessageHeaders } from './headers';
import type { OutgoingRecord } from './ports';
import { activeSpanContext, childSpanContext, injectTraceHeaders } from './tracing/trace-context';

/**
 * Turns a validated event into its wire record. The topic comes from the contracts
 * registry (one topic per event type) and the key is the subject, so every fact about one
 * ad lands in one partition, in order. The record carries the W3C trace context of
 * `spanContext` (by default a new span of the active trace, or a new trace).
 */
export function toOutgoingRecord(event: AnyEvent, topic?: string, spanContext?: SpanContext): OutgoingRecord {
  const definition = getEventDefinition(event.type, event.version);
  if (!definition) throw new Error(`no contract for event ${event.type} v${event.version}`);
  const headers: Record<string, string> = {
    [MessageHeaders.eventId]: event.id,
    [MessageHeaders.eventType]: event.type,
  };
  if (event.correlationId) headers[MessageHeaders.correlationId] = event.correlationId;
  injectTraceHeaders(headers, spanContext ?? childSpanContext(activeSpanContext()));
  return { topic: topic ?? definition.topic, key: event.subject, value: encodeEvent(event), headers };
}

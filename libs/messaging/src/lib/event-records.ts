import { encodeEvent, getEventDefinition, type AnyEvent } from '@vigie/contracts';
import { MessageHeaders } from './headers';
import type { OutgoingRecord } from './ports';

/**
 * Turns a validated event into its wire record. The topic comes from the contracts
 * registry (one topic per event type) and the key is the subject, so every fact about one
 * ad lands in one partition, in order.
 */
export function toOutgoingRecord(event: AnyEvent, topic?: string): OutgoingRecord {
  const definition = getEventDefinition(event.type, event.version);
  if (!definition) throw new Error(`no contract for event ${event.type} v${event.version}`);
  const headers: Record<string, string> = {
    [MessageHeaders.eventId]: event.id,
    [MessageHeaders.eventType]: event.type,
  };
  if (event.correlationId) headers[MessageHeaders.correlationId] = event.correlationId;
  return { topic: topic ?? definition.topic, key: event.subject, value: encodeEvent(event), headers };
}

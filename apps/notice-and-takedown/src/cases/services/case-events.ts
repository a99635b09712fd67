import { createEvent, subjectFor, type CreateEventInput, type EventData, type EventOf, type EventType } from '@vigie/contracts';

/** Every event about a case: keyed by its ad, correlated by the case id. */
export function caseEvent<T extends EventType>(
  type: T,
  subject: { id: string; platform_id: string; ad_id: string },
  data: EventData<T>,
  options: { occurredAt: Date; causationId?: string | null },
): EventOf<T> {
  const input = {
    tenant: subject.platform_id,
    subject: subjectFor(subject.platform_id, subject.ad_id),
    correlationId: subject.id,
    causationId: options.causationId ?? null,
    source: 'notice-and-takedown',
    occurredAt: options.occurredAt,
    data,
  } as unknown as CreateEventInput<T>;
  return createEvent(type, input);
}

export const iso = (date: Date) => date.toISOString();
export const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

import type { LogRecord } from '../services/case-projection';

export const HOUR = 3_600_000;
export const T0 = Date.parse('2026-03-02T08:00:00.000Z');
export const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

/** A log record as the projector reads it, for pure specs: `occurredAt` at `hours` after T0. */
export function logRecord(type: string, hours: number, data: Record<string, unknown>, opts: { subject?: string; position?: number; recordedHours?: number } = {}): LogRecord {
  const subject = opts.subject ?? 'acme:ad-1';
  const tenant = subject.slice(0, subject.indexOf(':'));
  const occurredAt = at(hours);
  const id = `00000000-0000-7000-8000-${String(opts.position ?? Math.round(hours * 1000)).padStart(12, '0')}`;
  return {
    position: opts.position ?? Math.round(hours * 1000),
    eventId: id,
    type,
    subject,
    tenant,
    event: { id, type, occurredAt, tenant, subject, correlationId: null, source: 'notice-and-takedown', data },
    occurredMs: Date.parse(occurredAt),
    brokerMs: Date.parse(occurredAt),
    recordedMs: T0 + (opts.recordedHours ?? hours) * HOUR,
  };
}

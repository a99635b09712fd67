import type { Caller } from '@vigie/service-kit';
import { ABUSE_CATEGORIES, NOTICE_SOURCE_TYPES } from '@vigie/contracts';
import { ReportException, ReportExceptionCode } from '../exceptions/report.exception';

/** Roles that read reports. An officer bound to a platform reads that platform only. */
export const REPORT_READERS = ['officer', 'regulator', 'admin'] as const;

/**
 * The platform a caller's report is limited to (`null`: all). Asking for another platform than
 * one's own answers 404, as if it did not exist, so a key cannot probe other tenants.
 */
export function platformScope(caller: Caller, requested: string | undefined): string | null {
  const bound = caller.role === 'officer' ? caller.platformId : null;
  if (bound === null) return requested ?? null;
  if (requested !== undefined && requested !== bound) {
    throw new ReportException(ReportExceptionCode.PLATFORM_NOT_FOUND, `no platform "${requested}" is visible to this key`);
  }
  return bound;
}

/** Whether a caller may see one platform's records. */
export function canSee(caller: Caller, tenant: string): boolean {
  return caller.role !== 'officer' || caller.platformId === null || caller.platformId === tenant;
}

export interface Period {
  readonly from: string;
  readonly to: string;
}

/** `from` (inclusive) and `to` (exclusive), ISO dates or timestamps; default: everything up to now. */
export function parsePeriod(from: string | undefined, to: string | undefined): Period {
  const errors = [];
  const parse = (value: string | undefined, field: string, fallback: string) => {
    if (value === undefined || value === '') return fallback;
    const ms = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) {
      errors.push({ field, reason: 'an ISO date (YYYY-MM-DD) or timestamp' });
      return fallback;
    }
    return new Date(ms).toISOString();
  };
  const period = { from: parse(from, 'from', '1970-01-01T00:00:00.000Z'), to: parse(to, 'to', new Date().toISOString()) };
  if (errors.length === 0 && period.from >= period.to) errors.push({ field: 'to', reason: 'must be after from' });
  if (errors.length > 0) throw new ReportException(ReportExceptionCode.INVALID_QUERY, `invalid query: ${errors[0].field} must be ${errors[0].reason}`, errors);
  return period;
}

export function parseOneOf<T extends string>(value: string | undefined, field: string, allowed: readonly T[]): T | null {
  if (value === undefined || value === '') return null;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ReportException(ReportExceptionCode.INVALID_QUERY, `invalid query: ${field} must be one of ${allowed.join(', ')}`, [
      { field, reason: `one of ${allowed.join(', ')}` },
    ]);
  }
  return value as T;
}

export const REPORT_CATEGORIES = ABUSE_CATEGORIES;
export const REPORT_SOURCES = [...NOTICE_SOURCE_TYPES, 'own-initiative'] as const;

export function parseLimit(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 0 || limit > max) {
    throw new ReportException(ReportExceptionCode.INVALID_QUERY, `invalid query: limit must be an integer from 0 to ${max}`, [
      { field: 'limit', reason: `an integer from 0 to ${max}` },
    ]);
  }
  return limit;
}

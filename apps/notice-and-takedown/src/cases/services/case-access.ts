import type { Caller } from '@vigie/service-kit';
import { CaseException, CaseExceptionCode } from '../exceptions/case.exception';

/**
 * Tenant isolation for routes that name a case, not a platform: a caller bound to a platform
 * (platform key, that platform's moderators and officers) sees only that platform's cases.
 * Another platform's case answers 404, exactly like a case that does not exist.
 */
export function assertCaseVisible(row: { platform_id: string } | undefined, caller: Caller, caseId: string): asserts row {
  if (!row || (caller.platformId !== null && caller.platformId !== row.platform_id)) {
    throw new CaseException(CaseExceptionCode.CASE_NOT_FOUND, `no case "${caseId}"`);
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

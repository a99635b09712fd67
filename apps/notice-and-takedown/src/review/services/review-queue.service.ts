import { Inject, Injectable } from '@nestjs/common';
import { uuidv7, type AnyEvent } from '@vigie/contracts';
import type { Outbox } from '@vigie/messaging';
import { OUTBOX, SERVICE_SETTINGS, updateReturning, type Caller } from '@vigie/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { assertCaseVisible, UUID } from '../../cases/services/case-access';
import { caseEvent, iso } from '../../cases/services/case-events';
import { CaseLedger } from '../../cases/services/case-ledger.service';
import type { CaseRow } from '../../cases/services/case-row';
import { CaseException, CaseExceptionCode } from '../../cases/exceptions/case.exception';
import type { NoticeAndTakedownSettings } from '../../notice-and-takedown.settings';
import type { DecideCaseBody, PauseClockBody } from '../dtos/decision.dtos';
import { DecisionService } from './decision.service';

/** Who a caller is on a case: moderators by their pseudonymous id. */
export function moderatorId(caller: Caller): string {
  return caller.principalId ?? `${caller.role}:${caller.keyId}`;
}

// Waiting cases: minors, then authority orders, then trusted flaggers and critical flags, then
// the rest, each by its nearest deadline. Automatic removals waiting for their human review
// come in the same queue.
// Both queries read `cases_waiting_idx`, whose predicate and key are WAITING and QUEUE_ORDER:
// change one, change the index with it.
const QUEUE_ORDER = `source_rank, LEAST(internal_deadline, response_deadline, removal_deadline) NULLS LAST, opened_at, id`;
const WAITING = `(status = 'open' OR human_review_due)`;

/** Waiting cases a caller may see, in queue order. $1: platform (null for all), $2: moderator, $3: limit. */
export const LIST_WAITING_CASES_SQL = `SELECT * FROM notice_and_takedown.cases
  WHERE ${WAITING} AND ($1::text IS NULL OR platform_id = $1)
    AND (lease_expires_at IS NULL OR lease_expires_at < clock_timestamp() OR claimed_by = $2)
  ORDER BY ${QUEUE_ORDER} LIMIT $3`;

/** The first waiting case nobody holds, locked; cases locked by a concurrent claim are skipped. $1: platform or null. */
export const CLAIM_NEXT_WAITING_CASE_SQL = `SELECT * FROM notice_and_takedown.cases
  WHERE ${WAITING} AND ($1::text IS NULL OR platform_id = $1)
    AND (lease_expires_at IS NULL OR lease_expires_at < clock_timestamp())
  ORDER BY ${QUEUE_ORDER} LIMIT 1 FOR UPDATE SKIP LOCKED`;

/**
 * The review queue and its leases: a moderator claims a case for a limited time, so two
 * moderators never decide the same case; a lease that runs out frees the case for others
 * and its holder can no longer decide on it.
 */
@Injectable()
export class ReviewQueue {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: CaseLedger,
    private readonly decisions: DecisionService,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(SERVICE_SETTINGS) private readonly settings: NoticeAndTakedownSettings,
  ) {}

  async list(caller: Caller, limit: number) {
    const rows: CaseRow[] = await this.dataSource.query(LIST_WAITING_CASES_SQL, [caller.platformId, moderatorId(caller), limit]);
    return {
      cases: rows.map((row) => ({
        caseId: row.id,
        platformId: row.platform_id,
        platformAdId: row.ad_id,
        category: row.category,
        priority: row.priority,
        origin: row.origin,
        humanReviewOfAutomaticDecision: row.human_review_due,
        responseDeadline: row.response_deadline?.toISOString() ?? null,
        removalDeadline: row.removal_deadline?.toISOString() ?? null,
        internalDeadline: row.internal_deadline?.toISOString() ?? null,
        flagBand: row.flag_band,
        openedAt: row.opened_at.toISOString(),
      })),
    };
  }

  async claim(caseId: string, caller: Caller) {
    return this.dataSource.transaction(async (manager) => {
      const row = UUID.test(caseId) ? await this.ledger.lock(manager, caseId) : undefined;
      assertCaseVisible(row, caller, caseId);
      return this.claimLocked(manager, row, caller);
    });
  }

  /** Claims the first waiting case nobody holds; cases locked by a concurrent claim are skipped. */
  async claimNext(caller: Caller) {
    return this.dataSource.transaction(async (manager) => {
      const [row]: CaseRow[] = await manager.query(CLAIM_NEXT_WAITING_CASE_SQL, [caller.platformId]);
      if (!row) throw new CaseException(CaseExceptionCode.QUEUE_EMPTY, 'no case is waiting for review');
      return this.claimLocked(manager, row, caller);
    });
  }

  async release(caseId: string, caller: Caller) {
    await this.dataSource.transaction(async (manager) => {
      const row = UUID.test(caseId) ? await this.ledger.lock(manager, caseId) : undefined;
      assertCaseVisible(row, caller, caseId);
      this.requireLease(row, caller);
      await manager.query(`UPDATE notice_and_takedown.cases SET claimed_by = NULL, lease_expires_at = NULL WHERE id = $1`, [caseId]);
    });
  }

  async decide(caseId: string, body: DecideCaseBody, caller: Caller) {
    return this.dataSource.transaction(async (manager) => {
      const row = UUID.test(caseId) ? await this.ledger.lock(manager, caseId) : undefined;
      assertCaseVisible(row, caller, caseId);
      if (row.status !== 'open' && !row.human_review_due) {
        throw new CaseException(CaseExceptionCode.CASE_NOT_OPEN, `case "${caseId}" is already ${row.status}`);
      }
      this.requireLease(row, caller);
      const now = new Date();
      const result = await this.decisions.decide(
        manager,
        row,
        { ...body, decidedBy: { kind: 'moderator', id: moderatorId(caller) }, automatedDecision: 'not-automated' },
        now,
        null,
      );
      await this.outbox.enqueue(manager, result.events);
      return {
        caseId,
        decisionId: result.decisionId,
        decidedAt: now.toISOString(),
        action: body.action,
        commandId: result.commandId,
        referred: result.referred,
        repeatOffenderRecommendations: result.repeatOffenders,
      };
    });
  }

  async pause(caseId: string, body: PauseClockBody, caller: Caller) {
    return this.dataSource.transaction(async (manager) => {
      const row = UUID.test(caseId) ? await this.ledger.lock(manager, caseId) : undefined;
      assertCaseVisible(row, caller, caseId);
      if (row.status === 'closed') throw new CaseException(CaseExceptionCode.CASE_NOT_OPEN, `case "${caseId}" is closed`);
      const [open] = await manager.query(`SELECT id FROM notice_and_takedown.clock_pauses WHERE case_id = $1 AND resumed_at IS NULL`, [caseId]);
      if (open) throw new CaseException(CaseExceptionCode.ALREADY_PAUSED, `the clock of case "${caseId}" is already paused`);
      const now = new Date();
      const pauseId = uuidv7();
      const slas = body.slas ?? ['response'];
      await manager.query(
        `INSERT INTO notice_and_takedown.clock_pauses (id, case_id, paused_at, reason, explanation, slas, paused_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [pauseId, caseId, now, body.reason, body.explanation, slas, moderatorId(caller)],
      );
      await this.outbox.enqueue(manager, [
        caseEvent('case.clock-paused', row, { caseId, pauseId, pausedAt: iso(now), reason: body.reason, explanation: body.explanation, slas }, { occurredAt: now }),
      ]);
      return { caseId, pauseId, pausedAt: now.toISOString(), slas };
    });
  }

  async resume(caseId: string, caller: Caller) {
    return this.dataSource.transaction(async (manager) => {
      const row = UUID.test(caseId) ? await this.ledger.lock(manager, caseId) : undefined;
      assertCaseVisible(row, caller, caseId);
      const now = new Date();
      const [pause]: { id: string; paused_at: Date; slas: ('response' | 'removal')[] }[] = await updateReturning(
        manager,
        `UPDATE notice_and_takedown.clock_pauses SET resumed_at = GREATEST($2::timestamptz, paused_at)
          WHERE case_id = $1 AND resumed_at IS NULL RETURNING id, paused_at, slas`,
        [caseId, now],
      );
      if (!pause) throw new CaseException(CaseExceptionCode.NOT_PAUSED, `the clock of case "${caseId}" is not paused`);
      await this.outbox.enqueue(manager, [
        caseEvent(
          'case.clock-resumed',
          row,
          { caseId, pauseId: pause.id, pausedAt: iso(pause.paused_at), resumedAt: iso(now), slas: pause.slas },
          { occurredAt: now },
        ),
      ]);
      return { caseId, pauseId: pause.id, resumedAt: now.toISOString() };
    });
  }

  private async claimLocked(manager: EntityManager, row: CaseRow, caller: Caller) {
    const me = moderatorId(caller);
    const now = new Date();
    if (row.status !== 'open' && !row.human_review_due) {
      throw new CaseException(CaseExceptionCode.CASE_NOT_OPEN, `case "${row.id}" is already ${row.status}`);
    }
    const held = row.claimed_by !== null && row.lease_expires_at !== null && row.lease_expires_at.getTime() > now.getTime();
    if (held && row.claimed_by !== me) {
      throw new CaseException(
        CaseExceptionCode.CLAIMED_BY_ANOTHER,
        `case "${row.id}" is claimed by ${row.claimed_by} until ${row.lease_expires_at?.toISOString()}`,
      );
    }
    const leaseExpiresAt = new Date(now.getTime() + this.settings.claimLeaseMs);
    await manager.query(`UPDATE notice_and_takedown.cases SET claimed_by = $2, lease_expires_at = $3 WHERE id = $1`, [row.id, me, leaseExpiresAt]);
    const events: AnyEvent[] = [];
    if (!(held && row.claimed_by === me)) {
      events.push(
        caseEvent(
          'case.claimed',
          row,
          { caseId: row.id, claimedAt: iso(now), moderatorId: me, previousModeratorId: row.claimed_by },
          { occurredAt: now },
        ),
      );
      await this.outbox.enqueue(manager, events);
    }
    return { caseId: row.id, moderatorId: me, leaseExpiresAt: leaseExpiresAt.toISOString() };
  }

  private requireLease(row: CaseRow, caller: Caller): void {
    const me = moderatorId(caller);
    const live = row.lease_expires_at !== null && row.lease_expires_at.getTime() > Date.now();
    if (row.claimed_by === me && live) return;
    if (row.claimed_by !== null && row.claimed_by !== me && live) {
      throw new CaseException(CaseExceptionCode.CLAIMED_BY_ANOTHER, `case "${row.id}" is claimed by ${row.claimed_by}`);
    }
    throw new CaseException(
      CaseExceptionCode.CLAIM_REQUIRED,
      row.claimed_by === me ? `your claim on case "${row.id}" has expired: claim it again` : `claim case "${row.id}" before deciding on it`,
    );
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { notifierStanding } from '@vigie/case-rules';
import { createEvent, subjectFor, type AnyEvent, type EventData } from '@vigie/contracts';
import type { Outbox } from '@vigie/messaging';
import { OUTBOX, SERVICE_SETTINGS, updateReturning, type Caller } from '@vigie/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { UUID } from '../../cases/services/case-access';
import { CaseLedger } from '../../cases/services/case-ledger.service';
import { CaseException, CaseExceptionCode } from '../../cases/exceptions/case.exception';
import type { NoticeAndTakedownSettings } from '../../notice-and-takedown.settings';
import type { RejectNoticeBody } from '../dtos/notice.dtos';

export type Actor = EventData<'notice.qualified'>['qualifiedBy'];
export type Verdict = { kind: 'qualified' } | ({ kind: 'rejected' } & RejectNoticeBody);

interface NoticeRow {
  id: string;
  received_at: Date;
  status: string;
  notifier_key: string;
  locations: { platformId: string; adId: string }[];
}

/**
 * A person judges whether a notice is precise and substantiated enough to give actual
 * knowledge (DSA Art. 16(3)). Qualifying dates knowledge back to the notice's receipt;
 * rejecting gives none, and a manifestly unfounded notice counts against its notifier
 * (Art. 23(2): warned, then deprioritised).
 */
@Injectable()
export class NoticeJudgement {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: CaseLedger,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(SERVICE_SETTINGS) private readonly settings: NoticeAndTakedownSettings,
  ) {}

  /** HTTP entry: one notice, judged by a moderator of its platform. */
  async judgeOne(noticeId: string, verdict: Verdict, caller: Caller): Promise<{ noticeId: string; status: string; caseIds: string[] }> {
    return this.dataSource.transaction(async (manager) => {
      // Not an id at all: answered like a notice that does not exist (not a database error).
      const [notice]: NoticeRow[] = UUID.test(noticeId)
        ? await manager.query(
            `SELECT id, received_at, status, notifier_key, locations FROM notice_and_takedown.notices WHERE id = $1 FOR UPDATE`,
            [noticeId],
          )
        : [];
      const platformId = notice?.locations[0]?.platformId;
      if (!notice || (caller.platformId !== null && platformId !== caller.platformId)) {
        throw new CaseException(CaseExceptionCode.NOTICE_NOT_FOUND, `no notice "${noticeId}"`);
      }
      if (notice.status !== 'received') throw new CaseException(CaseExceptionCode.ALREADY_JUDGED, `the notice is already ${notice.status}`);
      const actor: Actor = { kind: 'moderator', id: caller.principalId ?? caller.keyId };
      const { events, caseIds } = await this.judge(manager, [noticeId], verdict, actor, new Date(), null);
      await this.outbox.enqueue(manager, events);
      return { noticeId, status: verdict.kind, caseIds };
    });
  }

  /** Judges unjudged notices inside the caller's transaction; returns the events to publish. */
  async judge(
    manager: EntityManager,
    noticeIds: string[],
    verdict: Verdict,
    actor: Actor,
    now: Date,
    causationId: string | null,
  ): Promise<{ events: AnyEvent[]; caseIds: string[] }> {
    const events: AnyEvent[] = [];
    const touched = new Set<string>();
    for (const noticeId of noticeIds) {
      const [notice]: NoticeRow[] = await updateReturning(manager,
        `UPDATE notice_and_takedown.notices SET status = $2, judged_at = $3, judged_by = $4, rejection_reason = $5, manifestly_unfounded = $6
          WHERE id = $1 AND status = 'received' RETURNING id, received_at, status, notifier_key, locations`,
        [
          noticeId,
          verdict.kind,
          now,
          actor.id,
          verdict.kind === 'rejected' ? verdict.reason : null,
          verdict.kind === 'rejected' && verdict.manifestlyUnfounded === true,
        ],
      );
      if (!notice) continue;
      const caseRows: { case_id: string }[] = await manager.query(
        `SELECT case_id FROM notice_and_takedown.case_notices WHERE notice_id = $1 ORDER BY case_id`,
        [noticeId],
      );
      const first = notice.locations[0] as { platformId: string; adId: string };
      const envelope = {
        tenant: first.platformId,
        subject: subjectFor(first.platformId, first.adId),
        source: 'notice-and-takedown',
        occurredAt: now,
        causationId,
        correlationId: caseRows[0]?.case_id ?? null,
      };
      if (verdict.kind === 'qualified') {
        events.push(
          createEvent('notice.qualified', {
            ...envelope,
            data: {
              noticeId,
              receivedAt: notice.received_at.toISOString(),
              qualifiedAt: now.toISOString(),
              qualifiedBy: actor,
              caseIds: caseRows.map((row) => row.case_id),
            },
          }),
        );
      } else {
        events.push(
          createEvent('notice.rejected', {
            ...envelope,
            data: { noticeId, rejectedAt: now.toISOString(), rejectedBy: actor, reason: verdict.reason, explanation: verdict.explanation },
          }),
        );
        if (verdict.manifestlyUnfounded) await this.countUnfounded(manager, notice.notifier_key, now);
      }
      for (const row of caseRows) touched.add(row.case_id);
    }
    for (const caseId of [...touched].sort()) {
      events.push(...(await this.ledger.refresh(manager, caseId, now, causationId)).events);
    }
    return { events, caseIds: [...touched].sort() };
  }

  private async countUnfounded(manager: EntityManager, notifierKey: string, now: Date): Promise<void> {
    const [row]: { unfounded: number }[] = await manager.query(
      `INSERT INTO notice_and_takedown.notifier_standing (notifier_key, unfounded) VALUES ($1, 1)
       ON CONFLICT (notifier_key) DO UPDATE SET unfounded = notifier_standing.unfounded + 1 RETURNING unfounded`,
      [notifierKey],
    );
    const standing = notifierStanding(row?.unfounded ?? 0, {
      warning: this.settings.unfoundedNoticesWarning,
      deprioritise: this.settings.unfoundedNoticesDeprioritise,
    });
    if (standing === 'good') return;
    await manager.query(
      `UPDATE notice_and_takedown.notifier_standing SET warned_at = COALESCE(warned_at, $2),
              deprioritised_at = CASE WHEN $3 THEN COALESCE(deprioritised_at, $2) ELSE deprioritised_at END
        WHERE notifier_key = $1`,
      [notifierKey, now, standing === 'deprioritised'],
    );
  }
}

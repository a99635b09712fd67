import { Inject, Injectable } from '@nestjs/common';
import type { DecisionAction } from '@vigie/case-rules';
import { uuidv7, type AnyEvent } from '@vigie/contracts';
import type { Outbox } from '@vigie/messaging';
import { OUTBOX, type Caller } from '@vigie/service-kit';
import { DataSource } from 'typeorm';
import { assertCaseVisible, UUID } from '../../cases/services/case-access';
import { caseEvent, iso } from '../../cases/services/case-events';
import { CaseLedger } from '../../cases/services/case-ledger.service';
import { CaseException, CaseExceptionCode } from '../../cases/exceptions/case.exception';
import { DecisionService } from '../../review/services/decision.service';
import { moderatorId } from '../../review/services/review-queue.service';
import { TakedownCommands } from '../../takedown/services/takedown-commands.service';
import type { DecideAppealBody, SubmitAppealBody } from '../dtos/appeal.dtos';

const TAKEDOWN = new Set<string>(['remove', 'disable', 'restrict']);
const DAY_MS = 86_400_000;

interface AppealRow {
  id: string;
  case_id: string;
  decision_id: string;
  received_at: Date;
  appellant: 'uploader' | 'notifier';
  decided_at: Date | null;
  decided_by_kind: string;
  decided_by: string;
  action: DecisionAction;
  platform_id: string;
}

/**
 * DSA Art. 20 complaints: open for six months after the uploader is informed, decided by a
 * person other than the one who took the contested decision. A reversed removal sends the
 * platform a reinstatement command.
 */
@Injectable()
export class AppealsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: CaseLedger,
    private readonly decisions: DecisionService,
    private readonly takedownCommands: TakedownCommands,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  async submit(platformId: string, caseId: string, body: SubmitAppealBody, caller: Caller) {
    return this.dataSource.transaction(async (manager) => {
      const row = UUID.test(caseId) ? await this.ledger.lock(manager, caseId) : undefined;
      const visible = row?.platform_id === platformId ? row : undefined;
      assertCaseVisible(visible, caller, caseId);
      const decisionId = body.decisionId ?? visible.decision_id;
      const [decision]: { id: string; uploader_informed_at: Date | null; appeal_deadline: Date | null; decided_at: Date }[] = decisionId
        ? await manager.query(`SELECT id, uploader_informed_at, appeal_deadline, decided_at FROM notice_and_takedown.decisions WHERE id = $1 AND case_id = $2`, [
            decisionId,
            caseId,
          ])
        : [];
      if (!decision) throw new CaseException(CaseExceptionCode.NO_DECISION, `case "${caseId}" has no such decision to appeal`);
      const now = new Date();
      // Art. 20(1): at least six months from when the uploader was informed; a notifier's
      // complaint about a decision that restricted nothing runs from the decision.
      const deadline = decision.appeal_deadline ?? new Date(decision.decided_at.getTime() + 183 * DAY_MS);
      if (now.getTime() > deadline.getTime()) {
        throw new CaseException(CaseExceptionCode.APPEAL_WINDOW_CLOSED, `the appeal window closed at ${deadline.toISOString()}`);
      }
      const appealId = uuidv7();
      const inserted = await manager.query(
        `INSERT INTO notice_and_takedown.appeals (id, case_id, decision_id, received_at, appellant, channel, grounds)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
        [appealId, caseId, decision.id, now, body.appellant, caller.role === 'platform' ? 'platform' : 'api', body.grounds],
      );
      if (inserted.length === 0) throw new CaseException(CaseExceptionCode.APPEAL_PENDING, 'an appeal against this decision is already waiting');
      await this.outbox.enqueue(manager, [
        caseEvent(
          'case.appeal-received',
          visible,
          {
            caseId,
            appealId,
            decisionId: decision.id,
            receivedAt: iso(now),
            appellant: body.appellant,
            channel: caller.role === 'platform' ? 'platform' : 'api',
            grounds: body.grounds,
          },
          { occurredAt: now },
        ),
      ]);
      return { appealId, caseId, decisionId: decision.id, receivedAt: now.toISOString(), appealDeadline: deadline.toISOString() };
    });
  }

  async pending(caller: Caller) {
    const rows = await this.dataSource.query(
      `SELECT a.id, a.case_id, a.decision_id, a.received_at, a.appellant, a.grounds, c.platform_id, c.ad_id, d.decided_by, d.action
         FROM notice_and_takedown.appeals a
         JOIN notice_and_takedown.cases c ON c.id = a.case_id
         JOIN notice_and_takedown.decisions d ON d.id = a.decision_id
        WHERE a.decided_at IS NULL AND ($1::text IS NULL OR c.platform_id = $1)
        ORDER BY a.received_at, a.id LIMIT 200`,
      [caller.platformId],
    );
    return {
      appeals: rows.map((row: Record<string, unknown>) => ({
        appealId: row.id,
        caseId: row.case_id,
        decisionId: row.decision_id,
        platformId: row.platform_id,
        platformAdId: row.ad_id,
        appellant: row.appellant,
        grounds: row.grounds,
        contestedAction: row.action,
        originalModerator: row.decided_by,
        receivedAt: (row.received_at as Date).toISOString(),
      })),
    };
  }

  async decide(appealId: string, body: DecideAppealBody, caller: Caller) {
    if (body.outcome === 'modified' && !body.newAction) {
      throw new CaseException(CaseExceptionCode.INVALID_DECISION, 'a modified decision needs the new action', [{ field: '/newAction', reason: 'required when outcome is modified' }]);
    }
    return this.dataSource.transaction(async (manager) => {
      const [appeal]: AppealRow[] = UUID.test(appealId)
        ? await manager.query(
            `SELECT a.id, a.case_id, a.decision_id, a.received_at, a.appellant, a.decided_at, d.decided_by_kind, d.decided_by, d.action, c.platform_id
               FROM notice_and_takedown.appeals a
               JOIN notice_and_takedown.decisions d ON d.id = a.decision_id
               JOIN notice_and_takedown.cases c ON c.id = a.case_id
              WHERE a.id = $1 FOR UPDATE OF a`,
            [appealId],
          )
        : [];
      if (!appeal || (caller.platformId !== null && caller.platformId !== appeal.platform_id)) {
        throw new CaseException(CaseExceptionCode.APPEAL_NOT_FOUND, `no appeal "${appealId}"`);
      }
      if (appeal.decided_at) throw new CaseException(CaseExceptionCode.ALREADY_JUDGED, `appeal "${appealId}" is already decided`);
      const me = moderatorId(caller);
      if (appeal.decided_by_kind === 'moderator' && appeal.decided_by === me) {
        throw new CaseException(CaseExceptionCode.SAME_MODERATOR, 'an appeal is decided by a different moderator than the one who took the decision (DSA Art. 20(6))');
      }
      const row = (await this.ledger.lock(manager, appeal.case_id)) as NonNullable<Awaited<ReturnType<CaseLedger['lock']>>>;
      const now = new Date();
      const wasTakedown = TAKEDOWN.has(appeal.action);
      const newAction: DecisionAction | null =
        body.outcome === 'upheld' ? null : body.outcome === 'modified' ? (body.newAction as DecisionAction) : wasTakedown ? 'no-action' : 'remove';
      await manager.query(
        `UPDATE notice_and_takedown.appeals SET decided_at = $2, decided_by = $3, outcome = $4, new_action = $5, explanation = $6 WHERE id = $1`,
        [appealId, now, me, body.outcome, newAction, body.explanation],
      );
      const decidedEvent = caseEvent(
        'case.appeal-decided',
        row,
        {
          caseId: row.id,
          appealId,
          decidedAt: iso(now),
          decidedBy: { kind: 'moderator', id: me },
          outcome: body.outcome,
          newAction,
          explanation: body.explanation,
        },
        { occurredAt: now },
      );
      const events: AnyEvent[] = [decidedEvent];
      let commandId: string | null = null;
      if (newAction !== null) {
        const takedownNow = TAKEDOWN.has(newAction);
        if (wasTakedown && !takedownNow) {
          commandId = await this.decisions.reinstate(manager, row, { decisionId: appeal.decision_id, appealId, reason: body.explanation, now, causationId: decidedEvent.id });
          await manager.query(
            `UPDATE notice_and_takedown.cases SET status = 'closed', action = $2, closed_at = $3, human_review_due = false, updated_at = $3 WHERE id = $1`,
            [row.id, newAction, now],
          );
          events.push(
            caseEvent(
              'case.closed',
              row,
              { caseId: row.id, closedAt: iso(now), outcome: 'reinstated', finalAction: null, finalDecisionId: appeal.decision_id },
              { occurredAt: now, causationId: decidedEvent.id },
            ),
          );
        } else if (takedownNow && newAction !== appeal.action) {
          const deadline = row.removal_deadline && row.removal_deadline.getTime() > now.getTime() ? row.removal_deadline : new Date(now.getTime() + DAY_MS);
          commandId = (
            await this.takedownCommands.request(manager, {
              caseId: row.id,
              decisionId: appeal.decision_id,
              appealId,
              platformId: row.platform_id,
              adId: row.ad_id,
              url: row.ad_url,
              kind: 'takedown',
              action: newAction as 'remove' | 'disable' | 'restrict',
              deadline,
              legalReference: null,
              reason: body.explanation.slice(0, 500),
              causationId: decidedEvent.id,
              occurredAt: now,
            })
          ).commandId;
          await manager.query(`UPDATE notice_and_takedown.cases SET status = 'decided', action = $2, closed_at = NULL, updated_at = $3 WHERE id = $1`, [
            row.id,
            newAction,
            now,
          ]);
        }
      }
      await this.outbox.enqueue(manager, events);
      return { appealId, caseId: row.id, outcome: body.outcome, newAction, commandId, decidedAt: now.toISOString() };
    });
  }
}

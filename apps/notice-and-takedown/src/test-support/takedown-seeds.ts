import { uuidv7, type AnyEvent } from '@vigie/contracts';
import { TakedownCommands, type TakedownRequest } from '../takedown/services/takedown-commands.service';
import type { NatFixture } from './nat-fixture';

/**
 * Cases and decisions written straight into the database, and commands requested through
 * the running service's `TakedownCommands`, for specs that need a decided case without going
 * through notices and the review queue.
 */

export interface SeededCase {
  caseId: string;
  decisionId: string;
  platformId: string;
  adId: string;
  adUrl: string | null;
}

export async function seedDecidedCase(
  fixture: NatFixture,
  input: { platformId: string; adId: string; adUrl?: string | null; action?: 'remove' | 'disable' | 'restrict'; status?: 'open' | 'decided' | 'closed' },
): Promise<SeededCase> {
  const caseId = uuidv7();
  const decisionId = uuidv7();
  const now = new Date();
  const action = input.action ?? 'remove';
  const adUrl = input.adUrl ?? null;
  await fixture.query(
    `INSERT INTO notice_and_takedown.cases
       (id, platform_id, ad_id, ad_url, category, origin, priority, source_rank, status, policy_version, opened_at,
        knowledge_at, decided_at, decided_by, action, updated_at)
     VALUES ($1, $2, $3, $4, 'pimping', 'notice', 'high', 1, $5, 'hce-24h@test', $6, $6, $6, 'moderator-1', $7, $6)`,
    [caseId, input.platformId, input.adId, adUrl, input.status ?? 'decided', now, action],
  );
  await fixture.query(
    `INSERT INTO notice_and_takedown.decisions
       (id, case_id, decided_at, decided_by_kind, decided_by, action, ground, legal_reference, explanation,
        statement_category, keywords, automated_detection, automated_decision, account_action)
     VALUES ($1, $2, $3, 'moderator', 'moderator-1', $4, 'illegal', 'Code pénal art. 225-5', 'Proxénétisme caractérisé.',
             'STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH', '{}', false, 'not-automated', 'none')`,
    [decisionId, caseId, now, action],
  );
  await fixture.query(`UPDATE notice_and_takedown.cases SET decision_id = $2 WHERE id = $1`, [caseId, decisionId]);
  return { caseId, decisionId, platformId: input.platformId, adId: input.adId, adUrl };
}

/** Requests a takedown for a seeded case in its own transaction, as the decision code does. */
export async function requestTakedown(
  fixture: NatFixture,
  seeded: SeededCase,
  overrides: Partial<TakedownRequest> = {},
): Promise<{ commandId: string; event: AnyEvent }> {
  const commands = fixture.nat.app.get(TakedownCommands);
  const now = new Date();
  return fixture.nat.infrastructure.dataSource.transaction((manager) =>
    commands.request(manager, {
      caseId: seeded.caseId,
      decisionId: seeded.decisionId,
      appealId: null,
      platformId: seeded.platformId,
      adId: seeded.adId,
      url: seeded.adUrl,
      kind: 'takedown',
      action: 'remove',
      deadline: new Date(now.getTime() + 24 * 3600_000),
      legalReference: 'Code pénal art. 225-5',
      reason: 'Contenu illicite (proxénétisme) signalé et confirmé par un modérateur.',
      causationId: null,
      occurredAt: now,
      ...overrides,
    }),
  );
}

import { CATEGORY_PROFILES, casePriority } from '@vigie/case-rules';
import { TAKEDOWN_ACTIONS, createEvent, createUuidV7Generator, type AnyEvent } from '@vigie/contracts';
import { DEFAULT_SLA_POLICY } from '@vigie/sla';
import { createHash } from 'node:crypto';
import type { ModerationLogRow } from './moderation-log-rows';

/** The `source` of every event replayed from a platform's own moderation log. */
export const HISTORY_IMPORT_SOURCE = 'history-import';

const REMOVAL_ACTIONS = new Set<string>(TAKEDOWN_ACTIONS);
const OUTCOME_BY_ACTION = { remove: 'actioned', disable: 'actioned', restrict: 'actioned', 'no-action': 'no-action', insufficient: 'insufficient' } as const;

/**
 * A UUIDv7 carrying the fact's time and bits derived from the row: the same row imported twice
 * gives the same event ids, so the log (which holds each event id once) takes it once.
 */
function stableUuidV7(atIso: string, seed: string, part: string): string {
  const digest = createHash('sha256').update(seed).update('\u0000').update(part).digest();
  return createUuidV7Generator({ now: () => Date.parse(atIso), fillRandom: (bytes) => bytes.set(digest.subarray(0, bytes.length)) })();
}

/**
 * The events one historical row stands for, in the order they happened: the case and the
 * knowledge that started its clock, the decision, the notifier's answer, the removal, the
 * closing. Business times are the platform's; `occurredAt` is when Vigie learnt them (the
 * import), so the log says plainly that these facts were recorded after the fact.
 */
export function eventsForRow(tenant: string, row: ModerationLogRow, importedAt: Date): AnyEvent[] {
  const seed = `${tenant}\u0000${row.reference ?? `${row.adId}\u0000${row.noticeReceivedAt ?? row.knowledgeAt}`}`;
  const subject = `${tenant}:${row.adId}`;
  const openedAt = row.noticeReceivedAt ?? row.knowledgeAt;
  const caseId = stableUuidV7(openedAt, seed, 'case');
  const noticeId = row.noticeReceivedAt === null ? null : stableUuidV7(row.noticeReceivedAt, seed, 'notice');
  const profile = CATEGORY_PROFILES[row.category];
  const policyVersion = DEFAULT_SLA_POLICY.version;
  const envelope = (part: string, at: string) => ({
    id: stableUuidV7(at, seed, part),
    tenant,
    subject,
    correlationId: caseId,
    source: HISTORY_IMPORT_SOURCE,
    occurredAt: importedAt,
  });
  const priority = casePriority({ category: row.category, sourceType: row.noticeSource, band: null, deprioritisedOnly: false }).priority;

  const events: AnyEvent[] = [
    createEvent('case.opened', {
      ...envelope('case.opened', openedAt),
      data: {
        caseId,
        platformAdId: row.adId,
        openedAt,
        origin: row.noticeSource === 'authority-order' ? 'authority-order' : noticeId !== null ? 'notice' : 'own-initiative',
        category: row.category,
        noticeId,
        noticeSourceType: row.noticeSource,
        noticeReceivedAt: row.noticeReceivedAt,
        firstFlagAt: null,
        publishedAt: row.publishedAt,
        priority: priority === 'low' ? 'normal' : priority,
        policyVersion,
      },
    }),
    createEvent('case.knowledge-established', {
      ...envelope('case.knowledge-established', row.knowledgeAt),
      data: {
        caseId,
        knowledgeAt: row.knowledgeAt,
        basis: row.noticeSource === 'authority-order' ? 'authority-order' : noticeId !== null ? 'notice-qualified' : 'flag-confirmed',
        basisEventId: null,
        policyVersion,
      },
    }),
  ];

  let decisionId: string | null = null;
  if (row.decidedAt !== null && row.decision !== null) {
    decisionId = stableUuidV7(row.decidedAt, seed, 'decision');
    const ground = row.ground ?? profile.ground;
    events.push(
      createEvent('case.decided', {
        ...envelope('case.decided', row.decidedAt),
        data: {
          caseId,
          decisionId,
          decidedAt: row.decidedAt,
          decidedBy: { kind: 'moderator', id: 'platform-history' },
          action: row.decision,
          ground: row.decision === 'no-action' || row.decision === 'insufficient' ? null : ground,
          legalReference: row.legalReference ?? (ground === 'illegal' ? profile.legalReference : null),
          explanation: `Decision imported from the platform's moderation log (row ${row.row}${row.reference ? `, reference ${row.reference}` : ''}).`,
          statementCategory: profile.statementCategory,
          categorySpecification: [...profile.keywords],
          automatedDetection: false,
          automatedDecision: 'not-automated',
          accountAction: 'none',
          territorialScope: [],
          referralRequired: false,
          policyVersion,
        },
      }),
    );
    if (noticeId !== null && row.notifierInformedAt !== null) {
      events.push(
        createEvent('notifier.informed', {
          ...envelope('notifier.informed', row.notifierInformedAt),
          data: {
            caseId,
            noticeId,
            decisionId,
            informedAt: row.notifierInformedAt,
            channel: row.noticeSource === 'authority-order' ? 'authority-portal' : 'email',
            action: row.decision,
            // The log says when the notifier was answered, not what the answer held.
            redressInformationIncluded: false,
          },
        }),
      );
    }
  }

  if (row.removedAt !== null) {
    if (row.decision !== null && REMOVAL_ACTIONS.has(row.decision)) {
      events.push(
        createEvent('takedown.confirmed', {
          ...envelope('takedown.confirmed', row.removedAt),
          data: {
            commandId: stableUuidV7(row.removedAt, seed, 'command'),
            caseId,
            platformAdId: row.adId,
            action: row.decision as (typeof TAKEDOWN_ACTIONS)[number],
            confirmedAt: row.removedAt,
            platformReference: row.reference,
          },
        }),
      );
    } else {
      events.push(
        createEvent('ad.removed', {
          ...envelope('ad.removed', row.removedAt),
          data: {
            platformAdId: row.adId,
            removedAt: row.removedAt,
            removedBy: 'platform-moderation',
            commandId: null,
            reason: 'removal imported from the platform\'s moderation log',
            receivedAt: importedAt.toISOString(),
            channel: 'history-import',
          },
        }),
      );
    }
  }

  // A removal decision stays open until the removal is known: its removal clock keeps running.
  const settled = row.decision !== null && (!REMOVAL_ACTIONS.has(row.decision) || row.removedAt !== null);
  if (settled && row.decidedAt !== null && row.decision !== null) {
    const closedAt = row.removedAt !== null && row.removedAt > row.decidedAt ? row.removedAt : row.decidedAt;
    events.push(
      createEvent('case.closed', {
        ...envelope('case.closed', closedAt),
        data: {
          caseId,
          closedAt,
          outcome: OUTCOME_BY_ACTION[row.decision],
          finalAction: REMOVAL_ACTIONS.has(row.decision) ? (row.decision as (typeof TAKEDOWN_ACTIONS)[number]) : null,
          finalDecisionId: decisionId,
        },
      }),
    );
  }
  return events;
}

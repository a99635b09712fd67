import type { SlaPolicy } from './policy';

export const KNOWLEDGE_BASES = ['authority-order', 'notice-qualified', 'flag-confirmed', 'automated-critical'] as const;
export type KnowledgeBasis = (typeof KNOWLEDGE_BASES)[number];

/** What is known about one case that can give the platform knowledge of it. */
export interface KnowledgeFacts {
  /** `qualified: null` — not judged yet; `false` — judged insufficient (it gives no knowledge). */
  readonly notices: readonly { readonly noticeId: string; readonly receivedMs: number; readonly qualified: boolean | null }[];
  readonly authorityOrders: readonly { readonly receivedMs: number; readonly eventId?: string }[];
  /** A human confirmed an automated flag. */
  readonly flagConfirmations: readonly { readonly confirmedMs: number; readonly eventId?: string }[];
  /** Automated detections of band `critical`; they count only when the policy says so. */
  readonly automatedCritical: readonly { readonly flaggedMs: number; readonly eventId?: string }[];
}

export interface EstablishedKnowledge {
  readonly provisional: false;
  readonly knowledgeAtMs: number;
  readonly basis: KnowledgeBasis;
  /** The notice id or event id of the fact that gave knowledge, when known. */
  readonly sourceId: string | null;
  readonly policyVersion: string;
}

/** Only unjudged notices so far: the clock runs from the earliest receipt until one is judged. */
export interface ProvisionalKnowledge {
  readonly provisional: true;
  readonly provisionalFromMs: number;
  readonly noticeId: string;
  readonly policyVersion: string;
}

export type Knowledge = EstablishedKnowledge | ProvisionalKnowledge;

/**
 * When the platform gained knowledge of a case (DSA Art. 6): the earliest of a qualified notice's
 * receipt (retroactive: knowledge dates from receipt, not from the judgement), an authority
 * order's receipt, a human confirming an automated flag, and — when the policy says so — an
 * automated `critical` detection. On equal times the basis listed first in `KNOWLEDGE_BASES`
 * wins, so the result never depends on the order of the facts.
 *
 * Without any of these, unjudged notices start a provisional clock from the earliest receipt
 * (qualifying it later confirms that start). Rejected notices give nothing. `null`: no knowledge.
 */
export function establishKnowledge(facts: KnowledgeFacts, policy: SlaPolicy): Knowledge | null {
  const candidates: EstablishedKnowledge[] = [];
  const candidate = (knowledgeAtMs: number, basis: KnowledgeBasis, sourceId: string | null): EstablishedKnowledge => ({
    provisional: false,
    knowledgeAtMs,
    basis,
    sourceId,
    policyVersion: policy.version,
  });
  for (const order of facts.authorityOrders) candidates.push(candidate(order.receivedMs, 'authority-order', order.eventId ?? null));
  for (const notice of facts.notices) {
    if (notice.qualified === true) candidates.push(candidate(notice.receivedMs, 'notice-qualified', notice.noticeId));
  }
  for (const confirmation of facts.flagConfirmations) {
    candidates.push(candidate(confirmation.confirmedMs, 'flag-confirmed', confirmation.eventId ?? null));
  }
  if (policy.automatedCriticalGivesKnowledge) {
    for (const detection of facts.automatedCritical) {
      candidates.push(candidate(detection.flaggedMs, 'automated-critical', detection.eventId ?? null));
    }
  }
  let best: EstablishedKnowledge | null = null;
  for (const next of candidates) if (best === null || isEarlier(next, best)) best = next;
  if (best !== null) return best;

  let provisional: ProvisionalKnowledge | null = null;
  for (const notice of facts.notices) {
    if (notice.qualified !== null) continue;
    if (
      provisional === null ||
      notice.receivedMs < provisional.provisionalFromMs ||
      (notice.receivedMs === provisional.provisionalFromMs && notice.noticeId < provisional.noticeId)
    ) {
      provisional = { provisional: true, provisionalFromMs: notice.receivedMs, noticeId: notice.noticeId, policyVersion: policy.version };
    }
  }
  return provisional;
}

function isEarlier(candidate: EstablishedKnowledge, than: EstablishedKnowledge): boolean {
  if (candidate.knowledgeAtMs !== than.knowledgeAtMs) return candidate.knowledgeAtMs < than.knowledgeAtMs;
  const rank = KNOWLEDGE_BASES.indexOf(candidate.basis) - KNOWLEDGE_BASES.indexOf(than.basis);
  if (rank !== 0) return rank < 0;
  // Same time and basis: the smaller id, so duplicates in any order give the same answer.
  return candidate.sourceId !== null && (than.sourceId === null || candidate.sourceId < than.sourceId);
}

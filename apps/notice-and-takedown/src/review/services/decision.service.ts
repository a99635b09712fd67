import { Inject, Injectable } from '@nestjs/common';
import {
  appealDeadline,
  buildStatementOfReasons,
  CATEGORY_PROFILES,
  crossesRepeatOffenderThreshold,
  strongerSource,
  type AutomationLevel,
  type DecisionAction,
  type DecisionGround,
  type NoticeSourceType,
  type StatementCategory,
  type StatementKeyword,
} from '@vigie/case-rules';
import { TDB_TERRITORIAL_SCOPE_CODES, uuidv7, type AnyEvent, type EventData } from '@vigie/contracts';
import type { Outbox } from '@vigie/messaging';
import { OUTBOX, SERVICE_SETTINGS } from '@vigie/service-kit';
import type { EntityManager } from 'typeorm';
import { caseEvent, iso } from '../../cases/services/case-events';
import { CaseLedger } from '../../cases/services/case-ledger.service';
import type { CaseRow } from '../../cases/services/case-row';
import { CaseException, CaseExceptionCode } from '../../cases/exceptions/case.exception';
import { NoticeJudgement } from '../../notices/services/notice-judgement.service';
import type { NoticeAndTakedownSettings } from '../../notice-and-takedown.settings';
import { TakedownCommands } from '../../takedown/services/takedown-commands.service';
import { DecisionMetrics } from './decision-metrics';

export type Actor = EventData<'case.decided'>['decidedBy'];

export interface DecisionInput {
  action: DecisionAction;
  ground?: DecisionGround;
  legalReference?: string;
  explanation: string;
  statementCategory?: StatementCategory;
  keywords?: StatementKeyword[];
  accountAction?: 'none' | 'suspend' | 'terminate';
  territorialScope?: string[];
  decidedBy: Actor;
  automatedDecision: AutomationLevel;
}

const TAKEDOWN_ACTIONS = new Set<DecisionAction>(['remove', 'disable', 'restrict']);
const TERRITORIES = new Set<string>(TDB_TERRITORIAL_SCOPE_CODES);
const DAY_MS = 86_400_000;

/**
 * A decision on a case and everything the DSA attaches to it, in the caller's transaction:
 * the statement of reasons to the uploader (Art. 17), the notifiers told the outcome and
 * redress (Art. 16(5)), the takedown command to the platform, the referral to the police when
 * life or safety is at stake (Art. 18), repeat-offender counts (Art. 23). A later decision on
 * the same case (human review of an automatic one) supersedes it: reversing a removal sends a
 * reinstatement command.
 */
@Injectable()
export class DecisionService {
  constructor(
    private readonly ledger: CaseLedger,
    private readonly judgement: NoticeJudgement,
    private readonly takedownCommands: TakedownCommands,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(SERVICE_SETTINGS) private readonly settings: NoticeAndTakedownSettings,
    private readonly metrics: DecisionMetrics,
  ) {}

  async decide(
    manager: EntityManager,
    row: CaseRow,
    input: DecisionInput,
    now: Date,
    causationId: string | null,
  ): Promise<{ decisionId: string; events: AnyEvent[]; commandId: string | null; referred: boolean; repeatOffenders: string[] }> {
    const profile = CATEGORY_PROFILES[row.category];
    const takedown = TAKEDOWN_ACTIONS.has(input.action);
    const ground = input.ground ?? profile.ground;
    const legalReference = input.legalReference ?? (ground === 'illegal' ? profile.legalReference : profile.termsGround);
    if (takedown && ground === 'illegal' && !legalReference) {
      throw new CaseException(CaseExceptionCode.INVALID_DECISION, 'a removal for illegal content must cite the law it rests on', [
        { field: '/legalReference', reason: `required for category "${row.category}" with ground "illegal"` },
      ]);
    }
    const reviewing = row.status !== 'open';
    const previousAction = (row.action as DecisionAction | null) ?? null;
    const [ad]: { poster_account_id: string | null; contacts: string[]; language: string | null; country: string | null; has_images: boolean; published_at: Date }[] =
      await manager.query(
        `SELECT poster_account_id, contacts, language, country, has_images, published_at FROM notice_and_takedown.ads WHERE platform_id = $1 AND ad_id = $2`,
        [row.platform_id, row.ad_id],
      );
    const notices = await this.ledger.notices(manager, row.id);
    let bestSource: NoticeSourceType | null = null;
    for (const notice of notices) if (notice.status !== 'rejected') bestSource = strongerSource(bestSource, notice.source_type);
    const decisionId = uuidv7();
    const statementCategory = input.statementCategory ?? profile.statementCategory;
    const keywords = input.keywords ?? profile.keywords;
    const accountAction = input.accountAction ?? 'none';
    const territorialScope = input.territorialScope ?? (ad?.country && TERRITORIES.has(ad.country) ? [ad.country] : []);
    const automatedDetection = row.first_flag_at !== null;
    const statement = buildStatementOfReasons({
      decisionId,
      action: input.action,
      ground,
      category: row.category,
      legalReference,
      explanation: input.explanation,
      statementCategory,
      keywords,
      sourceType: bestSource,
      automatedDetection,
      automatedDecision: input.automatedDecision,
      accountAction,
      territorialScope,
      contentPublishedAt: ad?.published_at ?? row.published_at,
      contentLanguage: ad?.language ?? null,
      hasImages: ad?.has_images ?? false,
      decidedAt: now,
      facts: this.facts(row, bestSource, input),
    });
    const referralNeeded = takedown && (profile.referral !== null || row.referral_suggested) && row.referred_at === null;
    await manager.query(
      `INSERT INTO notice_and_takedown.decisions
         (id, case_id, decided_at, decided_by_kind, decided_by, action, ground, legal_reference, explanation, statement_category,
          keywords, automated_detection, automated_decision, account_action, statement_of_reasons, uploader_informed_at,
          appeal_deadline, reviewed_decision_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
      [
        decisionId,
        row.id,
        now,
        input.decidedBy.kind,
        input.decidedBy.id,
        input.action,
        takedown || input.action === 'no-action' ? ground : null,
        legalReference,
        input.explanation,
        statementCategory,
        keywords,
        automatedDetection,
        input.automatedDecision,
        accountAction,
        statement ? JSON.stringify(statement) : null,
        statement ? now : null,
        statement ? appealDeadline(now) : null,
        reviewing ? row.decision_id : null,
      ],
    );
    const reversal = reviewing && previousAction !== null && TAKEDOWN_ACTIONS.has(previousAction) && !takedown;
    const closes = !takedown;
    const humanReviewDue = input.decidedBy.kind === 'system' && this.settings.slaPolicy.reviewAfterAutomatedRemoval;
    await manager.query(
      `UPDATE notice_and_takedown.cases SET status = $2, decision_id = $3, decided_at = COALESCE(decided_at, $4), decided_by = $5,
              action = $6, automated_decision = $7, human_review_due = $8, claimed_by = NULL, lease_expires_at = NULL,
              closed_at = CASE WHEN $9 THEN $4 ELSE closed_at END, updated_at = $4
        WHERE id = $1`,
      [row.id, closes ? 'closed' : 'decided', decisionId, now, input.decidedBy.id, input.action, input.automatedDecision, humanReviewDue, closes],
    );

    if (!reviewing) this.metrics.firstDecision(row, input.decidedBy.kind, now);

    const events: AnyEvent[] = [];
    const decided = caseEvent(
      'case.decided',
      row,
      {
        caseId: row.id,
        decisionId,
        decidedAt: iso(now),
        decidedBy: input.decidedBy,
        action: input.action,
        ground: takedown || input.action === 'no-action' ? ground : null,
        legalReference,
        explanation: input.explanation,
        statementCategory,
        categorySpecification: keywords,
        automatedDetection,
        automatedDecision: input.automatedDecision,
        accountAction,
        territorialScope: territorialScope as EventData<'case.decided'>['territorialScope'],
        referralRequired: referralNeeded || row.referred_at !== null,
        policyVersion: this.ledger.policyVersion,
      },
      { occurredAt: now, causationId },
    );
    events.push(decided);

    // A person's decision settles the notices nobody judged yet; an automatic one leaves them to the review.
    if (input.decidedBy.kind === 'moderator') {
      const unjudged = notices.filter((notice) => notice.status === 'received').map((notice) => notice.id);
      if (unjudged.length > 0) {
        const verdict = takedown
          ? ({ kind: 'qualified' } as const)
          : ({ kind: 'rejected', reason: 'not-substantiated', explanation: input.explanation } as const);
        events.push(...(await this.judgement.judge(manager, unjudged, verdict, input.decidedBy, now, decided.id)).events);
      }
    }
    const refreshed = await this.ledger.refresh(manager, row.id, now, decided.id);
    events.push(...refreshed.events);
    const current = refreshed.row;

    if (statement) {
      events.push(
        caseEvent(
          'uploader.informed',
          current,
          {
            caseId: row.id,
            decisionId,
            informedAt: iso(now),
            channel: 'platform-message',
            appealDeadline: iso(appealDeadline(now)),
            statementOfReasons: statement,
          },
          { occurredAt: now, causationId: decided.id },
        ),
      );
    }
    events.push(...(await this.ledger.informNotifiers(manager, current, { id: decisionId, action: input.action }, now, decided.id)));

    let commandId: string | null = null;
    if (takedown && !(reviewing && previousAction !== null && TAKEDOWN_ACTIONS.has(previousAction))) {
      const deadline = current.removal_deadline ?? new Date(now.getTime() + DAY_MS);
      commandId = (
        await this.takedownCommands.request(manager, {
          caseId: row.id,
          decisionId,
          appealId: null,
          platformId: row.platform_id,
          adId: row.ad_id,
          url: current.ad_url,
          kind: 'takedown',
          action: input.action as 'remove' | 'disable' | 'restrict',
          deadline,
          legalReference,
          reason: input.explanation.slice(0, 500),
          causationId: decided.id,
          occurredAt: now,
        })
      ).commandId;
    } else if (reversal) {
      commandId = await this.reinstate(manager, current, { decisionId, appealId: null, reason: input.explanation, now, causationId: decided.id });
    }

    if (referralNeeded) events.push(...(await this.refer(manager, current, decisionId, bestSource, now, decided.id)));
    const repeatOffenders = takedown && ground === 'illegal' && ad ? await this.countOffences(manager, current, ad, now) : [];
    if (closes) {
      events.push(
        caseEvent(
          'case.closed',
          current,
          {
            caseId: row.id,
            closedAt: iso(now),
            outcome: reversal ? 'reinstated' : input.action === 'no-action' ? 'no-action' : 'insufficient',
            finalAction: null,
            finalDecisionId: decisionId,
          },
          { occurredAt: now, causationId: decided.id },
        ),
      );
    }
    return { decisionId, events, commandId, referred: referralNeeded, repeatOffenders };
  }

  /** Commits a decision's events: used by callers that run their own transaction. */
  async publish(manager: EntityManager, events: AnyEvent[]): Promise<void> {
    await this.outbox.enqueue(manager, events);
  }

  async reinstate(
    manager: EntityManager,
    row: CaseRow,
    input: { decisionId: string | null; appealId: string | null; reason: string; now: Date; causationId: string | null },
  ): Promise<string> {
    const { commandId } = await this.takedownCommands.request(manager, {
      caseId: row.id,
      decisionId: input.decisionId,
      appealId: input.appealId,
      platformId: row.platform_id,
      adId: row.ad_id,
      url: row.ad_url,
      kind: 'reinstatement',
      action: 'reinstate',
      deadline: new Date(input.now.getTime() + DAY_MS),
      legalReference: null,
      reason: input.reason.slice(0, 500),
      causationId: input.causationId,
      occurredAt: input.now,
    });
    return commandId;
  }

  private facts(row: CaseRow, source: NoticeSourceType | null, input: DecisionInput): string {
    const origin =
      source === 'authority-order'
        ? "Injonction d'une autorité."
        : source === 'trusted-flagger'
          ? "Signalement d'un signaleur de confiance (DSA art. 22)."
          : source === 'public'
            ? 'Signalement au titre de l\'article 16 du DSA.'
            : "Détection d'initiative par l'analyse automatisée des annonces.";
    const flag = row.first_flag_at ? ` Analyse automatisée : niveau ${row.flag_band}, indicateurs ${row.flag_indicators.join(', ') || 'aucun'}.` : '';
    const review = input.decidedBy.kind === 'system' ? ' Décision automatisée, soumise à revue humaine.' : " Décision prise par un modérateur.";
    return `${origin}${flag}${review}`;
  }

  private async refer(
    manager: EntityManager,
    row: CaseRow,
    decisionId: string,
    source: NoticeSourceType | null,
    now: Date,
    causationId: string,
  ): Promise<AnyEvent[]> {
    const profile = CATEGORY_PROFILES[row.category];
    const reason = profile.referral?.reason ?? (row.category === 'minors' || row.referral_suggested ? 'minor-involved' : 'life-or-safety-threat');
    const authority = profile.referral?.authority ?? 'pharos';
    const authorityName = authority === 'pharos' ? 'PHAROS (plateforme de signalement des contenus illicites)' : 'OFAC (Office mineurs)';
    const referralId = uuidv7();
    const [ad] = await manager.query(
      `SELECT url, published_at, poster_account_id, contacts, country FROM notice_and_takedown.ads WHERE platform_id = $1 AND ad_id = $2`,
      [row.platform_id, row.ad_id],
    );
    // What the police need to act, and nothing the case does not hold: the ad's address and
    // identifiers, the clock, the decision. Kept as issued, timestamped.
    const exportPackage = {
      format: 'vigie-referral/1',
      referralId,
      generatedAt: iso(now),
      legalBasis: 'Règlement (UE) 2022/2065 (DSA), article 18',
      authority: { code: authority, name: authorityName },
      reason,
      case: {
        caseId: row.id,
        platformId: row.platform_id,
        platformAdId: row.ad_id,
        url: ad?.url ?? row.ad_url,
        category: row.category,
        publishedAt: ad?.published_at ? iso(ad.published_at) : row.published_at ? iso(row.published_at) : null,
        firstFlagAt: row.first_flag_at ? iso(row.first_flag_at) : null,
        noticeReceivedAt: row.notice_received_at ? iso(row.notice_received_at) : null,
        knowledgeAt: row.knowledge_at ? iso(row.knowledge_at) : null,
        noticeSource: source,
        flag: row.first_flag_at ? { band: row.flag_band, score: row.flag_score, indicators: row.flag_indicators } : null,
      },
      decisionId,
      subject: { posterAccountId: ad?.poster_account_id ?? null, contacts: ad?.contacts ?? [], country: ad?.country ?? null },
    };
    await manager.query(
      `INSERT INTO notice_and_takedown.referrals (id, case_id, referred_at, authority, authority_name, reason, channel, package)
       VALUES ($1, $2, $3, $4, $5, $6, 'api', $7) ON CONFLICT (case_id) DO NOTHING`,
      [referralId, row.id, now, authority, authorityName, reason, JSON.stringify(exportPackage)],
    );
    await manager.query(`UPDATE notice_and_takedown.cases SET referred_at = COALESCE(referred_at, $2) WHERE id = $1`, [row.id, now]);
    return [
      caseEvent(
        'case.referred',
        row,
        { caseId: row.id, referredAt: iso(now), authority, authorityName, reason, channel: 'api', authorityReference: null },
        { occurredAt: now, causationId },
      ),
    ];
  }

  /** DSA Art. 23(1): counts removals per poster account and contact; returns who just crossed the threshold. */
  private async countOffences(manager: EntityManager, row: CaseRow, ad: { poster_account_id: string | null; contacts: string[] }, now: Date): Promise<string[]> {
    const subjects: [string, string][] = [];
    if (ad.poster_account_id) subjects.push(['account', ad.poster_account_id]);
    for (const contact of ad.contacts) subjects.push(['contact', contact]);
    const crossed: string[] = [];
    for (const [kind, subject] of subjects) {
      const [counted]: { removals: number }[] = await manager.query(
        `INSERT INTO notice_and_takedown.offender_counts (platform_id, subject_kind, subject, removals, case_ids)
         VALUES ($1, $2, $3, 1, ARRAY[$4::uuid])
         ON CONFLICT (platform_id, subject_kind, subject) DO UPDATE
           SET removals = offender_counts.removals + 1, case_ids = (offender_counts.case_ids || $4::uuid)[1:100]
           WHERE NOT ($4::uuid = ANY (offender_counts.case_ids))
         RETURNING removals`,
        [row.platform_id, kind, subject, row.id],
      );
      if (counted && crossesRepeatOffenderThreshold(counted.removals - 1, counted.removals, this.settings.repeatOffenderRemovals)) {
        await manager.query(
          `UPDATE notice_and_takedown.offender_counts SET recommended_at = $4 WHERE platform_id = $1 AND subject_kind = $2 AND subject = $3`,
          [row.platform_id, kind, subject, now],
        );
        crossed.push(`${kind}:${subject}`);
      }
    }
    return crossed;
  }
}

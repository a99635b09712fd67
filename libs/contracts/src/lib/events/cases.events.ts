import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-definition';
import { AdId, CountryCode, IsoTimestamp, Nullable, StringEnum, Text, UuidV7, VersionLabel } from '../schema/primitives';
import { StatementOfReasons, TDB_KEYWORDS, TDB_STATEMENT_CATEGORIES } from '../schema/statement-of-reasons';
import {
  AbuseCategory,
  Actor,
  AutomationLevel,
  DecisionAction,
  DecisionGround,
  NoticeSourceType,
  SlaKind,
  TakedownAction,
} from '../schema/vocabulary';
import { Services } from '../services';
import { Topics } from '../topics';
import { Story } from './example-story';

const strict = { additionalProperties: false } as const;

const caseEnvelope = {
  tenant: Story.tenant,
  subject: Story.subject,
  correlationId: Story.caseId,
  source: 'notice-and-takedown',
  version: 1,
} as const;

export const caseOpened = defineEvent({
  type: 'case.opened',
  version: 1,
  topic: Topics.Cases,
  producer: Services.NoticeAndTakedown,
  summary: 'A case was opened for one ad on one platform.',
  dataSchema: Type.Object(
    {
      caseId: UuidV7(),
      platformAdId: AdId(),
      openedAt: IsoTimestamp(),
      origin: StringEnum(['notice', 'authority-order', 'automated-flag', 'own-initiative'] as const),
      category: AbuseCategory(),
      noticeId: Nullable(UuidV7()),
      noticeSourceType: Nullable(NoticeSourceType()),
      noticeReceivedAt: Nullable(IsoTimestamp('server receipt time of the notice; starts the response SLA')),
      firstFlagAt: Nullable(IsoTimestamp('first automated flag of the ad')),
      publishedAt: Nullable(IsoTimestamp('when the ad went live, as the platform claims')),
      priority: StringEnum(['urgent', 'high', 'normal'] as const, {
        description: 'queue priority: authority orders and minors are urgent, trusted flaggers high (DSA Art. 22)',
      }),
      policyVersion: VersionLabel('SLA policy version the case is measured against'),
    },
    strict,
  ),
  example: {
    ...caseEnvelope,
    id: Story.events.caseOpened,
    type: 'case.opened',
    occurredAt: '2026-11-23T08:00:00.250Z',
    causationId: Story.events.noticeReceived,
    data: {
      caseId: Story.caseId,
      platformAdId: Story.adId,
      openedAt: '2026-11-23T08:00:00.250Z',
      origin: 'notice',
      category: 'human-trafficking',
      noticeId: Story.noticeId,
      noticeSourceType: 'trusted-flagger',
      noticeReceivedAt: '2026-11-23T08:00:00.000Z',
      firstFlagAt: '2026-11-23T07:58:12.530Z',
      publishedAt: '2026-11-23T06:41:07.000Z',
      priority: 'high',
      policyVersion: Story.policyVersion,
    },
  },
});

export const caseKnowledgeEstablished = defineEvent({
  type: 'case.knowledge-established',
  version: 1,
  topic: Topics.Cases,
  producer: Services.NoticeAndTakedown,
  summary: 'The platform is deemed to have actual knowledge: the removal SLA starts at `knowledgeAt`.',
  dataSchema: Type.Object(
    {
      caseId: UuidV7(),
      knowledgeAt: IsoTimestamp('may precede the event: a qualified notice counts from its receipt'),
      basis: StringEnum(['notice-qualified', 'authority-order', 'flag-confirmed', 'automated-critical'] as const),
      basisEventId: Nullable(UuidV7('the event that carries the basis, e.g. `notice.received`')),
      policyVersion: VersionLabel(),
    },
    strict,
  ),
  example: {
    ...caseEnvelope,
    id: Story.events.caseKnowledgeEstablished,
    type: 'case.knowledge-established',
    occurredAt: '2026-11-23T08:14:03.150Z',
    causationId: Story.events.noticeQualified,
    data: {
      caseId: Story.caseId,
      knowledgeAt: '2026-11-23T08:00:00.000Z',
      basis: 'notice-qualified',
      basisEventId: Story.events.noticeReceived,
      policyVersion: Story.policyVersion,
    },
  },
});

export const caseClockPaused = defineEvent({
  type: 'case.clock-paused',
  version: 1,
  topic: Topics.Cases,
  producer: Services.NoticeAndTakedown,
  summary: 'SLA clocks of a case stopped, e.g. while waiting for a clarification from the notifier.',
  dataSchema: Type.Object(
    {
      caseId: UuidV7(),
      pauseId: UuidV7(),
      pausedAt: IsoTimestamp(),
      reason: StringEnum(['clarification-requested', 'force-majeure'] as const),
      explanation: Text(1000),
      slas: Type.Array(SlaKind(), { minItems: 1, uniqueItems: true }),
    },
    strict,
  ),
  example: {
    ...caseEnvelope,
    id: Story.events.caseClockPaused,
    type: 'case.clock-paused',
    occurredAt: '2026-11-23T10:05:00.000Z',
    causationId: null,
    data: {
      caseId: Story.caseId,
      pauseId: Story.pauseId,
      pausedAt: '2026-11-23T10:05:00.000Z',
      reason: 'clarification-requested',
      explanation: 'Précision demandée au signaleur sur les autres annonces liées au même numéro.',
      slas: ['response'],
    },
  },
});

export const caseClockResumed = defineEvent({
  type: 'case.clock-resumed',
  version: 1,
  topic: Topics.Cases,
  producer: Services.NoticeAndTakedown,
  summary: 'SLA clocks paused earlier run again.',
  dataSchema: Type.Object(
    {
      caseId: UuidV7(),
      pauseId: UuidV7(),
      pausedAt: IsoTimestamp(),
      resumedAt: IsoTimestamp(),
      slas: Type.Array(SlaKind(), { minItems: 1, uniqueItems: true }),
    },
    strict,
  ),
  example: {
    ...caseEnvelope,
    id: Story.events.caseClockResumed,
    type: 'case.clock-resumed',
    occurredAt: '2026-11-23T13:47:21.500Z',
    causationId: Story.events.caseClockPaused,
    data: {
      caseId: Story.caseId,
      pauseId: Story.pauseId,
      pausedAt: '2026-11-23T10:05:00.000Z',
      resumedAt: '2026-11-23T13:47:21.500Z',
      slas: ['response'],
    },
  },
});

export const caseClaimed = defineEvent({
  type: 'case.claimed',
  version: 1,
  topic: Topics.Cases,
  producer: Services.NoticeAndTakedown,
  summary: 'A moderator took a case from the review queue.',
  dataSchema: Type.Object(
    {
      caseId: UuidV7(),
      claimedAt: IsoTimestamp(),
      moderatorId: Text(100),
      previousModeratorId: Nullable(Text(100)),
    },
    strict,
  ),
  example: {
    ...caseEnvelope,
    id: Story.events.caseClaimed,
    type: 'case.claimed',
    occurredAt: '2026-11-23T08:12:40.000Z',
    causationId: null,
    data: {
      caseId: Story.caseId,
      claimedAt: '2026-11-23T08:12:40.000Z',
      moderatorId: 'mod-017',
      previousModeratorId: null,
    },
  },
});

export const caseDecided = defineEvent({
  type: 'case.decided',
  version: 1,
  topic: Topics.Cases,
  producer: Services.NoticeAndTakedown,
  summary: 'A decision was taken on the ad: action, ground and reasons.',
  dataSchema: Type.Object(
    {
      caseId: UuidV7(),
      decisionId: UuidV7(),
      decidedAt: IsoTimestamp(),
      decidedBy: Actor(),
      action: DecisionAction(),
      ground: Nullable(DecisionGround()),
      legalReference: Nullable(Text(500, 'e.g. Code pénal art. 225-5 (proxénétisme)')),
      explanation: Text(2000),
      statementCategory: StringEnum(TDB_STATEMENT_CATEGORIES),
      categorySpecification: Type.Array(StringEnum(TDB_KEYWORDS), { uniqueItems: true }),
      automatedDetection: Type.Boolean(),
      automatedDecision: AutomationLevel(),
      accountAction: StringEnum(['none', 'suspend', 'terminate'] as const, {
        description: 'DSA Art. 23 measure against the poster account',
      }),
      territorialScope: Type.Array(CountryCode(), { maxItems: 250, uniqueItems: true }),
      referralRequired: Type.Boolean({ description: 'DSA Art. 18: life or safety threatened' }),
      policyVersion: VersionLabel(),
    },
    strict,
  ),
  example: {
    ...caseEnvelope,
    id: Story.events.caseDecided,
    type: 'case.decided',
    occurredAt: '2026-11-23T08:21:30.400Z',
    causationId: null,
    data: {
      caseId: Story.caseId,
      decisionId: Story.decisionId,
      decidedAt: '2026-11-23T08:21:30.400Z',
      decidedBy: { kind: 'moderator', id: 'mod-017' },
      action: 'remove',
      ground: 'illegal',
      legalReference: 'Code pénal art. 225-5 et 225-4-1',
      explanation:
        "Annonce relevant d'une exploitation de la prostitution d'autrui : numéro partagé entre plusieurs prénoms et villes, texte type, mentions de contrôle par un tiers.",
      statementCategory: 'STATEMENT_CATEGORY_VIOLENCE',
      categorySpecification: ['KEYWORD_HUMAN_TRAFFICKING', 'KEYWORD_TRAFFICKING_WOMEN_GIRLS'],
      automatedDetection: true,
      automatedDecision: 'not-automated',
      accountAction: 'suspend',
      territorialScope: ['FR'],
      referralRequired: true,
      policyVersion: Story.policyVersion,
    },
  },
});

export const caseReferred = defineEvent({
  type: 'case.referred',
  version: 1,
  topic: Topics.Cases,
  producer: Services.NoticeAndTakedown,
  summary: 'The case was referred to law enforcement (DSA Art. 18).',
  dataSchema: Type.Object(
    {
      caseId: UuidV7(),
      referredAt: IsoTimestamp(),
      authority: StringEnum(['pharos', 'ofac', 'police', 'gendarmerie', 'public-prosecutor', 'other'] as const),
      authorityName: Text(200),
      reason: StringEnum(['life-or-safety-threat', 'minor-involved', 'trafficking-suspected'] as const),
      channel: StringEnum(['portal', 'email', 'phone', 'api'] as const),
      authorityReference: Nullable(Text(200, "the authority's reference, once known")),
    },
    strict,
  ),
  example: {
    ...caseEnvelope,
    id: Story.events.caseReferred,
    type: 'case.referred',
    occurredAt: '2026-11-23T08:22:10.000Z',
    causationId: Story.events.caseDecided,
    data: {
      caseId: Story.caseId,
      referredAt: '2026-11-23T08:22:10.000Z',
      authority: 'pharos',
      authorityName: 'PHAROS (Office anti-cybercriminalité)',
      reason: 'trafficking-suspected',
      channel: 'portal',
      authorityReference: null,
    },
  },
});

export const caseAppealReceived = defineEvent({
  type: 'case.appeal-received',
  version: 1,
  topic: Topics.Cases,
  producer: Services.NoticeAndTakedown,
  summary: 'The uploader or the notifier contested a decision (DSA Art. 20).',
  dataSchema: Type.Object(
    {
      caseId: UuidV7(),
      appealId: UuidV7(),
      decisionId: UuidV7(),
      receivedAt: IsoTimestamp(),
      appellant: StringEnum(['uploader', 'notifier'] as const),
      channel: StringEnum(['platform', 'email', 'api'] as const),
      grounds: Text(5000),
    },
    strict,
  ),
  example: {
    ...caseEnvelope,
    id: Story.events.caseAppealReceived,
    type: 'case.appeal-received',
    occurredAt: '2026-12-02T15:10:44.810Z',
    causationId: null,
    data: {
      caseId: Story.caseId,
      appealId: Story.appealId,
      decisionId: Story.decisionId,
      receivedAt: '2026-12-02T15:10:44.800Z',
      appellant: 'uploader',
      channel: 'platform',
      grounds: "Le titulaire du compte conteste le retrait et affirme qu'il s'agit d'une annonce de rencontre personnelle.",
    },
  },
});

export const caseAppealDecided = defineEvent({
  type: 'case.appeal-decided',
  version: 1,
  topic: Topics.Cases,
  producer: Services.NoticeAndTakedown,
  summary: 'An appeal was decided, by a person (DSA Art. 20(6)).',
  dataSchema: Type.Object(
    {
      caseId: UuidV7(),
      appealId: UuidV7(),
      decidedAt: IsoTimestamp(),
      decidedBy: Type.Object({ kind: Type.Literal('moderator'), id: Text(100) }, strict),
      outcome: StringEnum(['upheld', 'reversed', 'modified'] as const),
      newAction: Nullable(DecisionAction()),
      explanation: Text(2000),
    },
    strict,
  ),
  example: {
    ...caseEnvelope,
    id: Story.events.caseAppealDecided,
    type: 'case.appeal-decided',
    occurredAt: '2026-12-03T09:30:00.000Z',
    causationId: Story.events.caseAppealReceived,
    data: {
      caseId: Story.caseId,
      appealId: Story.appealId,
      decidedAt: '2026-12-03T09:30:00.000Z',
      decidedBy: { kind: 'moderator', id: 'mod-004' },
      outcome: 'upheld',
      newAction: null,
      explanation: 'Réexamen par un second modérateur : les éléments de réseau confirment la décision initiale.',
    },
  },
});

export const caseClosed = defineEvent({
  type: 'case.closed',
  version: 1,
  topic: Topics.Cases,
  producer: Services.NoticeAndTakedown,
  summary: 'The case is closed; late facts can still reopen SLA evaluation in the audit.',
  dataSchema: Type.Object(
    {
      caseId: UuidV7(),
      closedAt: IsoTimestamp(),
      outcome: StringEnum([
        'actioned',
        'no-action',
        'insufficient',
        'reinstated',
        'duplicate',
        'removed-before-decision',
      ] as const),
      finalAction: Nullable(TakedownAction()),
      finalDecisionId: Nullable(UuidV7()),
    },
    strict,
  ),
  example: {
    ...caseEnvelope,
    id: Story.events.caseClosed,
    type: 'case.closed',
    occurredAt: '2026-12-03T09:30:00.500Z',
    causationId: Story.events.caseAppealDecided,
    data: {
      caseId: Story.caseId,
      closedAt: '2026-12-03T09:30:00.500Z',
      outcome: 'actioned',
      finalAction: 'remove',
      finalDecisionId: Story.decisionId,
    },
  },
});

export const uploaderInformed = defineEvent({
  type: 'uploader.informed',
  version: 1,
  topic: Topics.Cases,
  producer: Services.NoticeAndTakedown,
  summary:
    'The uploader received the statement of reasons (DSA Art. 17); the same statement goes to the EU Transparency Database.',
  dataSchema: Type.Object(
    {
      caseId: UuidV7(),
      decisionId: UuidV7(),
      informedAt: IsoTimestamp(),
      channel: StringEnum(['platform-message', 'email', 'webhook'] as const),
      appealDeadline: IsoTimestamp('complaints stay open at least 6 months after the uploader is informed (DSA Art. 20)'),
      statementOfReasons: StatementOfReasons(),
    },
    strict,
  ),
  example: {
    ...caseEnvelope,
    id: Story.events.uploaderInformed,
    type: 'uploader.informed',
    occurredAt: '2026-11-23T08:21:31.200Z',
    causationId: Story.events.caseDecided,
    data: {
      caseId: Story.caseId,
      decisionId: Story.decisionId,
      informedAt: '2026-11-23T08:21:31.200Z',
      channel: 'webhook',
      appealDeadline: '2027-05-23T08:21:31.200Z',
      statementOfReasons: {
        puid: 'vigie-01a2077e-f496-7318-a652-fc9b2a119b16',
        decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
        decision_account: 'DECISION_ACCOUNT_SUSPENDED',
        account_type: 'ACCOUNT_TYPE_PRIVATE',
        decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
        illegal_content_legal_ground: 'Code pénal art. 225-5 (proxénétisme) et 225-4-1 (traite des êtres humains)',
        illegal_content_explanation:
          "Annonce présentant des indices d'exploitation sexuelle d'autrui : coordonnées partagées entre plusieurs profils et villes, texte type réutilisé.",
        content_type: ['CONTENT_TYPE_TEXT', 'CONTENT_TYPE_IMAGE'],
        category: 'STATEMENT_CATEGORY_VIOLENCE',
        category_specification: ['KEYWORD_HUMAN_TRAFFICKING', 'KEYWORD_TRAFFICKING_WOMEN_GIRLS'],
        territorial_scope: ['FR'],
        content_language: 'FR',
        content_date: '2026-11-23',
        application_date: '2026-11-23',
        decision_facts:
          "Signalement d'un signaleur de confiance, corroboré par l'analyse automatisée et l'examen d'un modérateur.",
        source_type: 'SOURCE_TRUSTED_FLAGGER',
        automated_detection: 'Yes',
        automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
      },
    },
  },
});

export const notifierInformed = defineEvent({
  type: 'notifier.informed',
  version: 1,
  topic: Topics.Cases,
  producer: Services.NoticeAndTakedown,
  summary: 'The notifier was told the decision and the means of redress (DSA Art. 16(5)); ends the response SLA.',
  dataSchema: Type.Object(
    {
      caseId: UuidV7(),
      noticeId: UuidV7(),
      decisionId: UuidV7(),
      informedAt: IsoTimestamp(),
      channel: StringEnum(['email', 'api', 'authority-portal'] as const),
      action: DecisionAction(),
      redressInformationIncluded: Type.Boolean(),
    },
    strict,
  ),
  example: {
    ...caseEnvelope,
    id: Story.events.notifierInformed,
    type: 'notifier.informed',
    occurredAt: '2026-11-23T08:21:31.000Z',
    causationId: Story.events.caseDecided,
    data: {
      caseId: Story.caseId,
      noticeId: Story.noticeId,
      decisionId: Story.decisionId,
      informedAt: '2026-11-23T08:21:31.000Z',
      channel: 'email',
      action: 'remove',
      redressInformationIncluded: true,
    },
  },
});

export const CASES_EVENTS = [
  caseOpened,
  caseKnowledgeEstablished,
  caseClockPaused,
  caseClockResumed,
  caseClaimed,
  caseDecided,
  caseReferred,
  caseAppealReceived,
  caseAppealDecided,
  caseClosed,
  uploaderInformed,
  notifierInformed,
] as const;

import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-definition';
import { AdId, Email, HttpUrl, IsoTimestamp, Nullable, StringEnum, Text, UuidV7 } from '../schema/primitives';
import { AbuseCategory, Actor, NoticeSourceType } from '../schema/vocabulary';
import { Services } from '../services';
import { Topics } from '../topics';
import { Story } from './example-story';

const strict = { additionalProperties: false } as const;

/**
 * A notice may name several ads; each becomes its own case. The notice's events are keyed by
 * the first location so they stay ordered with that ad's facts.
 */
const NoticeLocation = () =>
  Type.Object(
    {
      platformAdId: AdId(),
      url: Nullable(HttpUrl('exact address given by the notifier')),
    },
    strict,
  );

/** Only what the law needs: DSA Art. 16(2)(c) waives identity for child sexual abuse offences. */
const Notifier = () =>
  Type.Object(
    {
      name: Nullable(Text(200)),
      email: Nullable(Email()),
      trustedFlaggerId: Nullable(Text(100, 'DSA Art. 22 trusted flagger registration, when applicable')),
    },
    strict,
  );

const AuthorityOrder = () =>
  Type.Object(
    {
      authority: Text(200, 'e.g. OFAC, PHAROS, a public prosecutor'),
      reference: Text(200, "the authority's own reference"),
      legalBasis: Text(500),
      deadline: IsoTimestamp('removal deadline set by the order'),
    },
    strict,
  );

export const noticeReceived = defineEvent({
  type: 'notice.received',
  version: 1,
  topic: Topics.Notices,
  producer: Services.NoticeAndTakedown,
  summary: 'A notice or an authority order was received; the provisional clock starts at its receipt.',
  dataSchema: Type.Object(
    {
      noticeId: UuidV7(),
      receivedAt: IsoTimestamp('server time of receipt, never supplied by the client'),
      sourceType: NoticeSourceType(),
      channel: StringEnum(['web-form', 'api', 'email', 'authority-portal'] as const),
      category: AbuseCategory(),
      locations: Type.Array(NoticeLocation(), { minItems: 1, maxItems: 100 }),
      explanation: Text(5000, 'substantiated explanation of why the content is illegal or against the terms'),
      notifier: Nullable(Notifier()),
      goodFaithConfirmed: Type.Boolean({ description: 'DSA Art. 16(2)(d) statement of good faith' }),
      authorityOrder: Nullable(AuthorityOrder()),
    },
    strict,
  ),
  example: {
    id: Story.events.noticeReceived,
    type: 'notice.received',
    version: 1,
    occurredAt: '2026-11-23T08:00:00.000Z',
    tenant: Story.tenant,
    subject: Story.subject,
    correlationId: null,
    causationId: null,
    source: 'notice-and-takedown',
    data: {
      noticeId: Story.noticeId,
      receivedAt: '2026-11-23T08:00:00.000Z',
      sourceType: 'trusted-flagger',
      channel: 'api',
      category: 'human-trafficking',
      locations: [{ platformAdId: Story.adId, url: Story.adUrl }],
      explanation:
        'Le même numéro apparaît dans 7 annonces sous 4 prénoms différents à Lyon, Grenoble et Annecy en 10 jours; texte type réutilisé; indices de contrôle par un tiers.',
      notifier: { name: 'Association Exemple Vigilance', email: 'signalements@vigilance.example', trustedFlaggerId: 'FR-TF-0042' },
      goodFaithConfirmed: true,
      authorityOrder: null,
    },
  },
});

export const noticeAcknowledged = defineEvent({
  type: 'notice.acknowledged',
  version: 1,
  topic: Topics.Notices,
  producer: Services.NoticeAndTakedown,
  summary: 'Receipt of a notice was confirmed to the notifier (DSA Art. 16(4)).',
  dataSchema: Type.Object(
    {
      noticeId: UuidV7(),
      acknowledgedAt: IsoTimestamp(),
      channel: StringEnum(['email', 'api-response', 'authority-portal'] as const),
    },
    strict,
  ),
  example: {
    id: Story.events.noticeAcknowledged,
    type: 'notice.acknowledged',
    version: 1,
    occurredAt: '2026-11-23T08:00:00.210Z',
    tenant: Story.tenant,
    subject: Story.subject,
    correlationId: null,
    causationId: Story.events.noticeReceived,
    source: 'notice-and-takedown',
    data: { noticeId: Story.noticeId, acknowledgedAt: '2026-11-23T08:00:00.210Z', channel: 'api-response' },
  },
});

export const noticeQualified = defineEvent({
  type: 'notice.qualified',
  version: 1,
  topic: Topics.Notices,
  producer: Services.NoticeAndTakedown,
  summary:
    'A notice was judged precise and substantiated enough to give actual knowledge, retroactively from its receipt (DSA Art. 16(3)).',
  dataSchema: Type.Object(
    {
      noticeId: UuidV7(),
      receivedAt: IsoTimestamp('receipt time of the notice: knowledge dates back to it'),
      qualifiedAt: IsoTimestamp(),
      qualifiedBy: Actor(),
      caseIds: Type.Array(UuidV7(), { minItems: 1, maxItems: 100, uniqueItems: true }),
    },
    strict,
  ),
  example: {
    id: Story.events.noticeQualified,
    type: 'notice.qualified',
    version: 1,
    occurredAt: '2026-11-23T08:14:03.100Z',
    tenant: Story.tenant,
    subject: Story.subject,
    correlationId: Story.caseId,
    causationId: Story.events.noticeReceived,
    source: 'notice-and-takedown',
    data: {
      noticeId: Story.noticeId,
      receivedAt: '2026-11-23T08:00:00.000Z',
      qualifiedAt: '2026-11-23T08:14:03.100Z',
      qualifiedBy: { kind: 'moderator', id: 'mod-017' },
      caseIds: [Story.caseId],
    },
  },
});

export const noticeRejected = defineEvent({
  type: 'notice.rejected',
  version: 1,
  topic: Topics.Notices,
  producer: Services.NoticeAndTakedown,
  summary: 'A notice was found insufficient or unfounded; it gives no knowledge.',
  dataSchema: Type.Object(
    {
      noticeId: UuidV7(),
      rejectedAt: IsoTimestamp(),
      rejectedBy: Actor(),
      reason: StringEnum([
        'not-substantiated',
        'location-imprecise',
        'location-not-found',
        'duplicate',
        'out-of-scope',
        'abusive-notifier',
      ] as const),
      explanation: Text(2000),
    },
    strict,
  ),
  example: {
    id: Story.events.noticeRejected,
    type: 'notice.rejected',
    version: 1,
    occurredAt: '2026-11-23T11:02:17.000Z',
    tenant: 'demo-annonces',
    subject: 'demo-annonces:8813002',
    correlationId: null,
    causationId: null,
    source: 'notice-and-takedown',
    data: {
      noticeId: '01a20811-f5d0-7c3a-8e21-4b9d0c7a2e15',
      rejectedAt: '2026-11-23T11:02:17.000Z',
      rejectedBy: { kind: 'moderator', id: 'mod-017' },
      reason: 'not-substantiated',
      explanation:
        "Le signalement ne précise pas en quoi l'annonce serait illicite; l'annonce décrit une activité de massage bien-être déclarée.",
    },
  },
});

export const NOTICES_EVENTS = [noticeReceived, noticeAcknowledged, noticeQualified, noticeRejected] as const;

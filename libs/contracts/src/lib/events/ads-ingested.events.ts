import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from '../event-definition';
import { AdSchema, adProperties } from '../schema/ad';
import { AdId, IsoTimestamp, Nullable, Sha256Hex, StringEnum, Text, UuidV7 } from '../schema/primitives';
import { Services } from '../services';
import { Topics } from '../topics';
import { Story } from './example-story';

const IngestChannel = () =>
  StringEnum(['http-batch', 'ndjson', 'kafka', 'history-import'] as const, {
    description: "how the platform delivered the ad; `history-import`: replayed by the audit from the platform's past moderation log",
  });

/**
 * Ingest normalises text (Unicode NFC, whitespace) and contacts (E.164 phones, lowercase
 * emails); scoring spans point into the original text so evidence matches what the platform
 * published.
 */
const ingestedAdProperties = () => ({
  ...adProperties(),
  originalText: Type.Object(
    {
      title: Type.String({ maxLength: 300 }),
      body: Type.String({ maxLength: 20000 }),
    },
    { additionalProperties: false, description: 'title and body exactly as the platform sent them' },
  ),
  contentHash: Sha256Hex('SHA-256 of the canonical normalised content; unchanged hash means unchanged content'),
  adVersion: Type.Integer({ minimum: 1, description: 'content version of this ad, 1 on first sight' }),
  receivedAt: IsoTimestamp('when ingest received the ad (server clock)'),
  channel: IngestChannel(),
});

const AD_FIELDS = [
  'url',
  'category',
  'title',
  'body',
  'price',
  'location',
  'contacts',
  'posterAccountId',
  'images',
  'language',
  'publishedAt',
  'status',
] as const;

const normalisedAd: Static<ReturnType<typeof AdSchema>> = {
  platformAdId: Story.adId,
  url: Story.adUrl,
  category: 'rencontres',
  title: 'Nouvelle en ville - disponible ce week-end',
  body: 'Jeune femme de passage à Lyon, photos 100% réelles. Rendez-vous uniquement sur réservation, contact par SMS.',
  price: { amount: 150, currency: 'EUR' },
  location: { city: 'Lyon', postcode: '69003', country: 'FR' },
  contacts: { phones: ['+33639981234'], emails: [], handles: ['telegram:@lyon_rdv_2611'] },
  posterAccountId: 'acct-55102',
  images: [
    {
      pdq: 'f8f0e0c0c4c6e7f3f1f0f8fcfefe7f3f1f0f0e0c0c0e1f3f7fffefcf8f0e0c0c',
      quality: 87,
      md5: '9e107d9d372bb6826bd81d3542a419d6',
    },
  ],
  language: 'fr',
  publishedAt: '2026-11-23T06:41:07.000Z',
  updatedAt: '2026-11-23T07:58:10.000Z',
  status: 'live',
};

export const adIngested = defineEvent({
  type: 'ad.ingested',
  version: 1,
  topic: Topics.AdsIngested,
  producer: Services.Ingest,
  summary: 'Ingest saw an ad for the first time, validated and normalised.',
  dataSchema: Type.Object(ingestedAdProperties(), { additionalProperties: false }),
  example: {
    id: Story.events.adIngested,
    type: 'ad.ingested',
    version: 1,
    occurredAt: '2026-11-23T07:58:12.512Z',
    tenant: Story.tenant,
    subject: Story.subject,
    correlationId: null,
    causationId: Story.events.adSubmitted,
    source: 'ingest',
    data: {
      ...normalisedAd,
      originalText: {
        title: 'Nouvelle en ville  -  disponible ce week-end',
        body: normalisedAd.body,
      },
      contentHash: '5d41a2b3c1e7f0a9d8c6b4e2f1a3c5e7d9b1f3a5c7e9d1b3f5a7c9e1d3b5f7a9',
      adVersion: 1,
      receivedAt: '2026-11-23T07:58:12.501Z',
      channel: 'kafka',
    },
  },
});

export const adUpdated = defineEvent({
  type: 'ad.updated',
  version: 1,
  topic: Topics.AdsIngested,
  producer: Services.Ingest,
  summary: "An already ingested ad's content changed on the platform.",
  dataSchema: Type.Object(
    {
      ...ingestedAdProperties(),
      previousContentHash: Sha256Hex(),
      changedFields: Type.Array(StringEnum(AD_FIELDS), { minItems: 1, maxItems: AD_FIELDS.length }),
    },
    { additionalProperties: false },
  ),
  example: {
    id: Story.events.adUpdated,
    type: 'ad.updated',
    version: 1,
    occurredAt: '2026-11-23T09:40:00.120Z',
    tenant: 'demo-annonces',
    subject: 'demo-annonces:8813002',
    correlationId: null,
    causationId: null,
    source: 'ingest',
    data: {
      ...normalisedAd,
      platformAdId: '8813002',
      url: 'https://www.demo-annonces.example/massages/8813002',
      category: 'massages',
      title: 'Massage bien-être, cabinet à Villeurbanne',
      body: 'Praticienne diplômée, massages suédois et californien. Nouveaux horaires : du lundi au samedi, 9h-19h.',
      price: { amount: 60, currency: 'EUR' },
      location: { city: 'Villeurbanne', postcode: '69100', country: 'FR' },
      contacts: { phones: ['+33639985566'], emails: ['cabinet.bienetre@example.org'], handles: [] },
      posterAccountId: 'acct-20931',
      images: [],
      publishedAt: '2026-11-02T10:15:00.000Z',
      updatedAt: '2026-11-23T09:39:58.000Z',
      originalText: {
        title: 'Massage bien-être, cabinet à Villeurbanne',
        body: 'Praticienne diplômée, massages suédois et californien. Nouveaux horaires : du lundi au samedi, 9h-19h.',
      },
      contentHash: 'a3f1c9e7b5d3f1a9c7e5b3d1f9a7c5e3b1d9f7a5c3e1b9d7f5a3c1e9b7d5f3a1',
      adVersion: 3,
      receivedAt: '2026-11-23T09:40:00.101Z',
      channel: 'http-batch',
      previousContentHash: '0b8e2d6f4a1c9e7b5d3f1a8c6e4b2d0f9a7c5e3b1d8f6a4c2e0b9d7f5a3c1e8b',
      changedFields: ['body'],
    },
  },
});

export const adRemoved = defineEvent({
  type: 'ad.removed',
  version: 1,
  topic: Topics.AdsIngested,
  producer: Services.Ingest,
  summary: "An ad left the platform, as seen in the platform's stream.",
  dataSchema: Type.Object(
    {
      platformAdId: AdId(),
      removedAt: IsoTimestamp("when the ad was removed, as the platform claims"),
      removedBy: StringEnum(['platform-moderation', 'uploader', 'expiry', 'takedown-command', 'unknown'] as const),
      commandId: Nullable(UuidV7('the Vigie takedown command the removal answers, if any')),
      reason: Nullable(Text(500)),
      receivedAt: IsoTimestamp('when ingest learnt of the removal (server clock)'),
      channel: IngestChannel(),
    },
    { additionalProperties: false },
  ),
  example: {
    id: Story.events.adRemoved,
    type: 'ad.removed',
    version: 1,
    occurredAt: '2026-11-23T08:23:05.000Z',
    tenant: Story.tenant,
    subject: Story.subject,
    correlationId: Story.caseId,
    causationId: null,
    source: 'ingest',
    data: {
      platformAdId: Story.adId,
      removedAt: '2026-11-23T08:22:58.000Z',
      removedBy: 'takedown-command',
      commandId: Story.commandId,
      reason: 'Retrait suite à signalement (DSA)',
      receivedAt: '2026-11-23T08:23:04.870Z',
      channel: 'kafka',
    },
  },
});

export const ADS_INGESTED_EVENTS = [adIngested, adUpdated, adRemoved] as const;

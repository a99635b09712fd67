import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from '../event-definition';
import {
  Code,
  NonNegativeInteger,
  Ratio,
  Sha256Hex,
  StringEnum,
  Text,
  VersionLabel,
} from '../schema/primitives';
import { RISK_BANDS, RiskBand } from '../schema/vocabulary';
import { Services } from '../services';
import { Topics } from '../topics';
import { Story } from './example-story';

const strict = { additionalProperties: false } as const;

/** Offsets are UTF-16 code units into `originalText`, so evidence shows where the platform wrote it. */
const EvidenceSpan = () =>
  Type.Object(
    {
      field: StringEnum(['title', 'body'] as const),
      start: NonNegativeInteger(),
      end: Type.Integer({ minimum: 1, description: 'exclusive' }),
      excerpt: Type.String({ maxLength: 200, description: 'the matched text, for display' }),
    },
    strict,
  );

const Indicator = () =>
  Type.Object(
    {
      code: Code('indicator id in the ruleset, e.g. `youth.language`'),
      strength: StringEnum(['strong', 'weak', 'negative'] as const, {
        description: '`negative`: a pattern that suppresses a false positive',
      }),
      weight: Type.Number({ minimum: -1, maximum: 1, description: 'contribution to the score' }),
      confidence: StringEnum(['low', 'medium', 'high'] as const),
      spans: Type.Array(EvidenceSpan(), { maxItems: 20 }),
    },
    strict,
  );

/** Network signals are the strongest: the same contact across names or cities, templates, known hashes. */
const NetworkEvidence = () =>
  Type.Union([
    Type.Object(
      {
        kind: Type.Literal('shared-contact'),
        contactType: StringEnum(['phone', 'email', 'handle'] as const),
        contact: Text(254, 'normalised contact, e.g. an E.164 phone number'),
        adCount: Type.Integer({ minimum: 2 }),
        distinctNames: Type.Integer({ minimum: 0, description: 'persona names advertised with this contact in the window' }),
        distinctCities: Type.Integer({ minimum: 1 }),
        windowDays: Type.Integer({ minimum: 1, maximum: 365 }),
        weight: Ratio(),
      },
      strict,
    ),
    Type.Object(
      {
        kind: Type.Literal('template-cluster'),
        clusterId: Text(100),
        clusterSize: Type.Integer({ minimum: 2 }),
        similarity: Ratio('estimated Jaccard similarity of word shingles (MinHash)'),
        weight: Ratio(),
      },
      strict,
    ),
    Type.Object(
      {
        kind: Type.Literal('hash-match'),
        imageIndex: NonNegativeInteger('index in the ad `images`'),
        hashList: Text(100, 'id of the hash list, e.g. an authority list and its release'),
        hammingDistance: Type.Integer({ minimum: 0, maximum: 256 }),
        weight: Ratio(),
      },
      strict,
    ),
  ]);

const assessmentProperties = () => ({
  adVersion: Type.Integer({ minimum: 1 }),
  contentHash: Sha256Hex('content hash of the assessed ad version'),
  score: Ratio(),
  band: RiskBand(),
  rulesetVersion: VersionLabel(),
  indicators: Type.Array(Indicator(), { maxItems: 100 }),
  network: Type.Array(NetworkEvidence(), { maxItems: 50 }),
  referralSuggested: Type.Boolean({ description: 'evidence of a minor or of a threat to life: DSA Art. 18 referral' }),
});

const AssessmentData = () => Type.Object(assessmentProperties(), strict);

const exampleAssessment: Static<ReturnType<typeof AssessmentData>> = {
  adVersion: 1,
  contentHash: '5d41a2b3c1e7f0a9d8c6b4e2f1a3c5e7d9b1f3a5c7e9d1b3f5a7c9e1d3b5f7a9',
  score: 0.81,
  band: 'high',
  rulesetVersion: Story.rulesetVersion,
  indicators: [
    {
      code: 'youth.language',
      strength: 'strong',
      weight: 0.3,
      confidence: 'medium',
      spans: [{ field: 'body', start: 0, end: 5, excerpt: 'Jeune' }],
    },
    {
      code: 'trust.real-photos',
      strength: 'strong',
      weight: 0.2,
      confidence: 'high',
      spans: [{ field: 'body', start: 31, end: 50, excerpt: 'photos 100% réelles' }],
    },
    {
      code: 'movement.new-in-town',
      strength: 'weak',
      weight: 0.05,
      confidence: 'high',
      spans: [
        { field: 'title', start: 0, end: 17, excerpt: 'Nouvelle en ville' },
        { field: 'body', start: 12, end: 22, excerpt: 'de passage' },
      ],
    },
  ],
  network: [
    {
      kind: 'shared-contact',
      contactType: 'phone',
      contact: '+33639981234',
      adCount: 7,
      distinctNames: 4,
      distinctCities: 3,
      windowDays: 10,
      weight: 0.35,
    },
  ],
  referralSuggested: false,
};

export const adScored = defineEvent({
  type: 'ad.scored',
  version: 1,
  topic: Topics.AdsScored,
  producer: Services.Scoring,
  summary: 'Scoring assessed a version of an ad for trafficking indicators.',
  dataSchema: AssessmentData(),
  example: {
    id: Story.events.adScored,
    type: 'ad.scored',
    version: 1,
    occurredAt: '2026-11-23T07:58:12.530Z',
    tenant: Story.tenant,
    subject: Story.subject,
    correlationId: null,
    causationId: Story.events.adIngested,
    source: 'scoring',
    data: exampleAssessment,
  },
});

export const adRescored = defineEvent({
  type: 'ad.rescored',
  version: 1,
  topic: Topics.AdsScored,
  producer: Services.Scoring,
  summary: 'Scoring re-assessed an unchanged ad version because the ruleset or the network evidence changed.',
  dataSchema: Type.Object(
    {
      ...assessmentProperties(),
      reason: StringEnum(['ruleset-changed', 'network-evidence-changed', 'hash-list-updated', 'manual-request'] as const),
      previousScore: Ratio(),
      previousBand: StringEnum(RISK_BANDS),
      previousRulesetVersion: VersionLabel(),
    },
    strict,
  ),
  example: {
    id: Story.events.adRescored,
    type: 'ad.rescored',
    version: 1,
    occurredAt: '2026-11-23T09:40:00.160Z',
    tenant: Story.tenant,
    subject: Story.subject,
    correlationId: Story.caseId,
    causationId: null,
    source: 'scoring',
    data: {
      ...exampleAssessment,
      score: 0.88,
      network: [
        ...exampleAssessment.network,
        {
          kind: 'template-cluster',
          clusterId: 'tpl-2026-11-0042',
          clusterSize: 23,
          similarity: 0.87,
          weight: 0.25,
        },
      ],
      reason: 'network-evidence-changed',
      previousScore: 0.81,
      previousBand: 'high',
      previousRulesetVersion: Story.rulesetVersion,
    },
  },
});

export const ADS_SCORED_EVENTS = [adScored, adRescored] as const;

import { AD_ID_PATTERN, PLATFORM_ID_PATTERN, TENANT_WIDE_KEY } from './schema/patterns';
import { Services, type ServiceName } from './services';

/** Topic names carry a major version: a breaking change gets a new topic, never a rewrite. */
export const Topics = {
  AdsSubmitted: 'ads.submitted.v1',
  AdsIngested: 'ads.ingested.v1',
  AdsScored: 'ads.scored.v1',
  Notices: 'notices.v1',
  Cases: 'cases.v1',
  TakedownCommands: 'takedown.commands.v1',
  TakedownResults: 'takedown.results.v1',
  SlaAlerts: 'sla.alerts.v1',
  AuditCheckpoints: 'audit.checkpoints.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];
export type DlqTopicName = `${TopicName}.dlq`;

/** Enough partitions for the 5,000 events/s target while keeping per-ad ordering by key. */
export const DEFAULT_PARTITIONS = 6;

export interface TopicSpec {
  readonly name: TopicName;
  readonly description: string;
  readonly partitions: number;
  /** A consumed topic gets a `.dlq` twin for messages its consumers cannot process. */
  readonly consumed: boolean;
  readonly consumers: readonly ServiceName[];
  readonly eventTypes: readonly string[];
}

export const TOPIC_CATALOGUE: readonly TopicSpec[] = [
  {
    name: Topics.AdsSubmitted,
    description: "Platforms' raw ads as sent, before validation and normalisation.",
    partitions: DEFAULT_PARTITIONS,
    consumed: true,
    consumers: [Services.Ingest, Services.Audit],
    eventTypes: ['ad.submitted'],
  },
  {
    name: Topics.AdsIngested,
    description: 'Validated, normalised and deduplicated ads: first sight, content changes and removals.',
    partitions: DEFAULT_PARTITIONS,
    consumed: true,
    consumers: [Services.Scoring, Services.NoticeAndTakedown, Services.Audit],
    eventTypes: ['ad.ingested', 'ad.updated', 'ad.removed'],
  },
  {
    name: Topics.AdsScored,
    description: 'Explainable risk assessments of ad versions: score, band, indicators with spans, network evidence.',
    partitions: DEFAULT_PARTITIONS,
    consumed: true,
    consumers: [Services.NoticeAndTakedown, Services.Audit],
    eventTypes: ['ad.scored', 'ad.rescored'],
  },
  {
    name: Topics.Notices,
    description: 'DSA Art. 16 notices, trusted-flagger notices and authority orders: receipt, acknowledgement, qualification.',
    partitions: DEFAULT_PARTITIONS,
    consumed: true,
    consumers: [Services.Audit],
    eventTypes: ['notice.received', 'notice.acknowledged', 'notice.qualified', 'notice.rejected'],
  },
  {
    name: Topics.Cases,
    description: 'Case lifecycle: knowledge, clock pauses, decisions, statements of reasons, referrals, appeals.',
    partitions: DEFAULT_PARTITIONS,
    consumed: true,
    consumers: [Services.Audit],
    eventTypes: [
      'case.opened',
      'case.knowledge-established',
      'case.clock-paused',
      'case.clock-resumed',
      'case.claimed',
      'case.decided',
      'case.referred',
      'case.appeal-received',
      'case.appeal-decided',
      'case.closed',
      'uploader.informed',
      'notifier.informed',
    ],
  },
  {
    name: Topics.TakedownCommands,
    description: 'Commands for platforms to remove, disable, restrict or reinstate an ad.',
    partitions: DEFAULT_PARTITIONS,
    consumed: true,
    consumers: [Services.Platform, Services.NoticeAndTakedown, Services.Audit],
    eventTypes: ['takedown.requested', 'reinstatement.requested'],
  },
  {
    name: Topics.TakedownResults,
    description: 'Command delivery outcomes, platform confirmations and independent verification probes.',
    partitions: DEFAULT_PARTITIONS,
    consumed: true,
    consumers: [Services.NoticeAndTakedown, Services.Audit],
    eventTypes: [
      'takedown.delivered',
      'takedown.delivery-failed',
      'takedown.confirmed',
      'takedown.verified',
      'takedown.verification-failed',
    ],
  },
  {
    name: Topics.SlaAlerts,
    description: 'SLA state changes per case: at risk (50/75/90 % of the window), breached, met.',
    partitions: DEFAULT_PARTITIONS,
    consumed: true,
    consumers: [Services.NoticeAndTakedown, Services.Audit],
    eventTypes: ['sla.at-risk', 'sla.breached', 'sla.met'],
  },
  {
    name: Topics.AuditCheckpoints,
    description:
      'Signed checkpoints over the audit hash chains, published outside the database. One partition: checkpoints form a single ordered sequence.',
    partitions: 1,
    consumed: true,
    consumers: [Services.Audit],
    eventTypes: ['audit.checkpoint'],
  },
];

export function dlqTopic<TTopic extends string>(topic: TTopic): `${TTopic}.dlq` {
  return `${topic}.dlq`;
}

/**
 * Every topic to create up front (new topics can briefly report UNKNOWN_TOPIC_OR_PARTITION on
 * KRaft), each followed by its `.dlq` twin when asked for and the topic is consumed.
 */
export function allTopicNames(options: { withDlq?: boolean } = {}): (TopicName | DlqTopicName)[] {
  return TOPIC_CATALOGUE.flatMap((topic) =>
    options.withDlq && topic.consumed ? [topic.name, dlqTopic(topic.name)] : [topic.name],
  );
}

/** Partition count of a topic or of its DLQ twin (same count, so dead letters keep their key's partition). */
export function partitionsFor(topic: TopicName | DlqTopicName): number {
  const name = topic.endsWith('.dlq') ? topic.slice(0, -'.dlq'.length) : topic;
  const spec = TOPIC_CATALOGUE.find((candidate) => candidate.name === name);
  if (!spec) {
    throw new RangeError(`Unknown topic ${JSON.stringify(topic)}`);
  }
  return spec.partitions;
}

const PLATFORM_ID_REGEX = new RegExp(PLATFORM_ID_PATTERN);
const AD_ID_REGEX = new RegExp(AD_ID_PATTERN);

/** The subject and Kafka key of every fact about one ad: `<platform>:<adId>`. */
export function subjectFor(platformId: string, adId: string): string {
  assertPlatformId(platformId);
  if (!AD_ID_REGEX.test(adId)) {
    throw new RangeError(
      `Invalid ad id ${JSON.stringify(adId)}: 1-200 printable ASCII characters, no ':' or whitespace, not '*' alone`,
    );
  }
  return `${platformId}:${adId}`;
}

/** The subject of facts about a whole platform rather than one ad (audit checkpoints). */
export function tenantSubject(platformId: string): string {
  assertPlatformId(platformId);
  return `${platformId}:${TENANT_WIDE_KEY}`;
}

function assertPlatformId(platformId: string): void {
  if (!PLATFORM_ID_REGEX.test(platformId)) {
    throw new RangeError(
      `Invalid platform id ${JSON.stringify(platformId)}: lowercase letters, digits and '-', 1-63 characters`,
    );
  }
}

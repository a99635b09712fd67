import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-definition';
import { AdId, HttpUrl, IsoTimestamp, NonNegativeInteger, Nullable, StringEnum, Text, UuidV7 } from '../schema/primitives';
import { DeliveryChannel } from '../schema/vocabulary';
import { Services } from '../services';
import { Topics } from '../topics';
import { Story } from './example-story';

const strict = { additionalProperties: false } as const;

const HttpStatus = () => Type.Integer({ minimum: 100, maximum: 599 });

/** An independent HTTP check of the ad's public address; never trusts the platform's word alone. */
const Probe = <TOutcomes extends readonly [string, ...string[]]>(outcomes: TOutcomes) =>
  Type.Object(
    {
      url: HttpUrl(),
      method: StringEnum(['GET', 'HEAD'] as const),
      statusCode: Nullable(HttpStatus()),
      finalUrl: Nullable(HttpUrl('address after redirects')),
      checkedAt: IsoTimestamp(),
      outcome: StringEnum(outcomes),
      error: Nullable(Text(1000)),
    },
    strict,
  );

const resultEnvelope = {
  version: 1,
  tenant: Story.tenant,
  subject: Story.subject,
  correlationId: Story.caseId,
} as const;

export const takedownDelivered = defineEvent({
  type: 'takedown.delivered',
  version: 1,
  topic: Topics.TakedownResults,
  producer: Services.NoticeAndTakedown,
  summary: 'A command reached the platform (webhook accepted, or Kafka write acknowledged).',
  dataSchema: Type.Object(
    {
      commandId: UuidV7(),
      caseId: UuidV7(),
      attempt: Type.Integer({ minimum: 1 }),
      deliveredAt: IsoTimestamp(),
      channel: DeliveryChannel(),
      httpStatus: Nullable(HttpStatus()),
      latencyMs: NonNegativeInteger(),
    },
    strict,
  ),
  example: {
    ...resultEnvelope,
    id: Story.events.takedownDelivered,
    type: 'takedown.delivered',
    occurredAt: '2026-11-23T08:21:30.900Z',
    causationId: Story.events.takedownRequested,
    source: 'notice-and-takedown',
    data: {
      commandId: Story.commandId,
      caseId: Story.caseId,
      attempt: 1,
      deliveredAt: '2026-11-23T08:21:30.900Z',
      channel: 'kafka',
      httpStatus: null,
      latencyMs: 300,
    },
  },
});

export const takedownDeliveryFailed = defineEvent({
  type: 'takedown.delivery-failed',
  version: 1,
  topic: Topics.TakedownResults,
  producer: Services.NoticeAndTakedown,
  summary: 'A command could not be delivered to the platform.',
  dataSchema: Type.Object(
    {
      commandId: UuidV7(),
      caseId: UuidV7(),
      attempt: Type.Integer({ minimum: 1 }),
      failedAt: IsoTimestamp(),
      channel: DeliveryChannel(),
      httpStatus: Nullable(HttpStatus()),
      error: Text(1000),
      willRetry: Type.Boolean(),
      nextAttemptAt: Nullable(IsoTimestamp()),
    },
    strict,
  ),
  example: {
    ...resultEnvelope,
    subject: Story.reinstated.subject,
    correlationId: Story.reinstated.caseId,
    id: Story.events.takedownDeliveryFailed,
    type: 'takedown.delivery-failed',
    occurredAt: '2026-11-23T08:21:31.400Z',
    causationId: null,
    source: 'notice-and-takedown',
    data: {
      commandId: Story.reinstated.commandId,
      caseId: Story.reinstated.caseId,
      attempt: 2,
      failedAt: '2026-11-23T08:21:31.400Z',
      channel: 'webhook',
      httpStatus: 503,
      error: 'Webhook answered 503 Service Unavailable',
      willRetry: true,
      nextAttemptAt: '2026-11-23T08:22:31.400Z',
    },
  },
});

export const takedownConfirmed = defineEvent({
  type: 'takedown.confirmed',
  version: 1,
  topic: Topics.TakedownResults,
  producer: Services.Platform,
  summary: 'The platform confirms it executed a command; `confirmedAt` is its own claim.',
  dataSchema: Type.Object(
    {
      commandId: UuidV7(),
      caseId: UuidV7(),
      platformAdId: AdId(),
      action: StringEnum(['remove', 'disable', 'restrict', 'reinstate'] as const),
      confirmedAt: IsoTimestamp("when the platform says the command took effect"),
      platformReference: Nullable(Text(200, "the platform's own ticket or log reference")),
    },
    strict,
  ),
  example: {
    ...resultEnvelope,
    id: Story.events.takedownConfirmed,
    type: 'takedown.confirmed',
    occurredAt: '2026-11-23T08:23:02.000Z',
    causationId: Story.events.takedownRequested,
    source: 'platform:demo-annonces',
    data: {
      commandId: Story.commandId,
      caseId: Story.caseId,
      platformAdId: Story.adId,
      action: 'remove',
      confirmedAt: '2026-11-23T08:22:58.000Z',
      platformReference: 'MOD-2026-118842',
    },
  },
});

export const takedownVerified = defineEvent({
  type: 'takedown.verified',
  version: 1,
  topic: Topics.TakedownResults,
  producer: Services.NoticeAndTakedown,
  summary: 'An independent probe found the ad inaccessible (or back online, for a reinstatement).',
  dataSchema: Type.Object(
    {
      commandId: UuidV7(),
      caseId: UuidV7(),
      verifiedAt: IsoTimestamp(),
      probe: Probe(['not-found', 'gone', 'removal-notice', 'restricted', 'reinstated'] as const),
    },
    strict,
  ),
  example: {
    ...resultEnvelope,
    id: Story.events.takedownVerified,
    type: 'takedown.verified',
    occurredAt: '2026-11-23T08:30:00.000Z',
    causationId: Story.events.takedownConfirmed,
    source: 'notice-and-takedown',
    data: {
      commandId: Story.commandId,
      caseId: Story.caseId,
      verifiedAt: '2026-11-23T08:30:00.000Z',
      probe: {
        url: Story.adUrl,
        method: 'GET',
        statusCode: 410,
        finalUrl: null,
        checkedAt: '2026-11-23T08:29:59.620Z',
        outcome: 'gone',
        error: null,
      },
    },
  },
});

export const takedownVerificationFailed = defineEvent({
  type: 'takedown.verification-failed',
  version: 1,
  topic: Topics.TakedownResults,
  producer: Services.NoticeAndTakedown,
  summary: 'An independent probe could not confirm the command took effect.',
  dataSchema: Type.Object(
    {
      commandId: UuidV7(),
      caseId: UuidV7(),
      failedAt: IsoTimestamp(),
      attempt: Type.Integer({ minimum: 1 }),
      probe: Probe(['still-live', 'unreachable', 'inconclusive'] as const),
      willRetry: Type.Boolean(),
      nextAttemptAt: Nullable(IsoTimestamp()),
    },
    strict,
  ),
  example: {
    ...resultEnvelope,
    subject: Story.reinstated.subject,
    correlationId: Story.reinstated.caseId,
    id: Story.events.takedownVerificationFailed,
    type: 'takedown.verification-failed',
    occurredAt: '2026-11-23T08:30:00.000Z',
    causationId: null,
    source: 'notice-and-takedown',
    data: {
      commandId: Story.reinstated.commandId,
      caseId: Story.reinstated.caseId,
      failedAt: '2026-11-23T08:30:00.000Z',
      attempt: 1,
      probe: {
        url: Story.reinstated.adUrl,
        method: 'GET',
        statusCode: 200,
        finalUrl: null,
        checkedAt: '2026-11-23T08:29:59.700Z',
        outcome: 'still-live',
        error: null,
      },
      willRetry: true,
      nextAttemptAt: '2026-11-23T08:45:00.000Z',
    },
  },
});

export const TAKEDOWN_RESULTS_EVENTS = [
  takedownDelivered,
  takedownDeliveryFailed,
  takedownConfirmed,
  takedownVerified,
  takedownVerificationFailed,
] as const;

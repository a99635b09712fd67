import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-definition';
import { AdId, HttpUrl, IsoTimestamp, Nullable, Text, UuidV7 } from '../schema/primitives';
import { DeliveryChannel, TakedownAction } from '../schema/vocabulary';
import { Services } from '../services';
import { Topics } from '../topics';
import { Story } from './example-story';

const strict = { additionalProperties: false } as const;

/**
 * Re-sending a command keeps its `commandId` and increments `attempt`, so a platform that
 * already executed it can answer idempotently.
 */
const commandProperties = () => ({
  commandId: UuidV7(),
  caseId: UuidV7(),
  platformAdId: AdId(),
  url: Nullable(HttpUrl()),
  deadline: IsoTimestamp('when the platform must have executed the command'),
  attempt: Type.Integer({ minimum: 1 }),
  delivery: DeliveryChannel(),
});

export const takedownRequested = defineEvent({
  type: 'takedown.requested',
  version: 1,
  topic: Topics.TakedownCommands,
  producer: Services.NoticeAndTakedown,
  summary: 'A platform is asked to remove, disable or restrict an ad.',
  dataSchema: Type.Object(
    {
      ...commandProperties(),
      decisionId: UuidV7(),
      action: TakedownAction(),
      legalReference: Nullable(Text(500)),
      reason: Text(500, 'short reason the platform can show or log'),
    },
    strict,
  ),
  example: {
    id: Story.events.takedownRequested,
    type: 'takedown.requested',
    version: 1,
    occurredAt: '2026-11-23T08:21:30.600Z',
    tenant: Story.tenant,
    subject: Story.subject,
    correlationId: Story.caseId,
    causationId: Story.events.caseDecided,
    source: 'notice-and-takedown',
    data: {
      commandId: Story.commandId,
      caseId: Story.caseId,
      platformAdId: Story.adId,
      url: Story.adUrl,
      deadline: '2026-11-24T08:00:00.000Z',
      attempt: 1,
      delivery: 'kafka',
      decisionId: Story.decisionId,
      action: 'remove',
      legalReference: 'Code pénal art. 225-5 et 225-4-1',
      reason: 'Contenu illicite signalé par un signaleur de confiance (DSA art. 16 et 22).',
    },
  },
});

export const reinstatementRequested = defineEvent({
  type: 'reinstatement.requested',
  version: 1,
  topic: Topics.TakedownCommands,
  producer: Services.NoticeAndTakedown,
  summary: 'A platform is asked to put an ad back online, after an appeal reversed the decision.',
  dataSchema: Type.Object(
    {
      ...commandProperties(),
      appealId: Nullable(UuidV7()),
      reason: Text(500),
    },
    strict,
  ),
  example: {
    id: Story.events.reinstatementRequested,
    type: 'reinstatement.requested',
    version: 1,
    occurredAt: '2026-12-03T09:30:00.250Z',
    tenant: 'demo-annonces',
    subject: Story.reinstated.subject,
    correlationId: Story.reinstated.caseId,
    causationId: null,
    source: 'notice-and-takedown',
    data: {
      commandId: Story.reinstatementCommandId,
      caseId: Story.reinstated.caseId,
      platformAdId: Story.reinstated.adId,
      url: Story.reinstated.adUrl,
      deadline: '2026-12-04T09:30:00.000Z',
      attempt: 1,
      delivery: 'webhook',
      appealId: Story.reinstated.appealId,
      reason: "Recours accueilli : annonce d'un cabinet de massage thérapeutique, retrait annulé.",
    },
  },
});

export const TAKEDOWN_COMMANDS_EVENTS = [takedownRequested, reinstatementRequested] as const;

import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-definition';
import { IsoTimestamp, NonNegativeInteger, Ratio, UuidV7, VersionLabel } from '../schema/primitives';
import { SlaKind } from '../schema/vocabulary';
import { Services } from '../services';
import { Topics } from '../topics';
import { Story } from './example-story';

const strict = { additionalProperties: false } as const;

/** Durations are business time (from `occurredAt` values), net of paused intervals, so replays agree. */
const slaProperties = () => ({
  caseId: UuidV7(),
  sla: SlaKind(),
  policyVersion: VersionLabel(),
  startedAt: IsoTimestamp('start of the SLA window, e.g. knowledge for removal'),
  deadline: IsoTimestamp(),
  windowMs: Type.Integer({ minimum: 1, description: 'length of the SLA window' }),
  elapsedMs: NonNegativeInteger('time counted against the SLA so far, pauses excluded'),
  pausedMs: NonNegativeInteger(),
});

const slaEnvelope = {
  version: 1,
  tenant: Story.tenant,
  subject: Story.subject,
  correlationId: Story.caseId,
  source: 'audit',
} as const;

export const slaAtRisk = defineEvent({
  type: 'sla.at-risk',
  version: 1,
  topic: Topics.SlaAlerts,
  producer: Services.Audit,
  summary: 'An open SLA crossed a warning threshold of its window (50, 75 or 90 % by default).',
  dataSchema: Type.Object(
    {
      ...slaProperties(),
      threshold: Ratio('the warning threshold crossed'),
      shareOfWindow: Ratio('elapsed share of the window'),
      evaluatedAt: IsoTimestamp(),
    },
    strict,
  ),
  example: {
    ...slaEnvelope,
    subject: 'demo-annonces:8815120',
    correlationId: '01a20621-ad00-7f3e-9a51-0b7d3e2c6f84',
    id: Story.events.slaAtRisk,
    type: 'sla.at-risk',
    occurredAt: '2026-11-23T20:00:00.000Z',
    causationId: null,
    data: {
      caseId: '01a20621-ad00-7f3e-9a51-0b7d3e2c6f84',
      sla: 'response',
      policyVersion: Story.policyVersion,
      startedAt: '2026-11-23T02:00:00.000Z',
      deadline: '2026-11-24T02:00:00.000Z',
      windowMs: 86_400_000,
      elapsedMs: 64_800_000,
      pausedMs: 0,
      threshold: 0.75,
      shareOfWindow: 0.75,
      evaluatedAt: '2026-11-23T20:00:00.000Z',
    },
  },
});

export const slaBreached = defineEvent({
  type: 'sla.breached',
  version: 1,
  topic: Topics.SlaAlerts,
  producer: Services.Audit,
  summary: 'An SLA deadline passed before its end fact; evaluated on business time, so replays may find breaches late.',
  dataSchema: Type.Object(
    {
      ...slaProperties(),
      breachedAt: IsoTimestamp('the deadline, shifted by pauses'),
      shareOfWindow: Type.Number({ minimum: 1, description: 'elapsed share of the window, 1 or more' }),
      detectedLate: Type.Boolean({ description: 'found by re-evaluation after a late or replayed fact' }),
    },
    strict,
  ),
  example: {
    ...slaEnvelope,
    subject: 'demo-annonces:8815120',
    correlationId: '01a20621-ad00-7f3e-9a51-0b7d3e2c6f84',
    id: Story.events.slaBreached,
    type: 'sla.breached',
    occurredAt: '2026-11-24T08:00:00.000Z',
    causationId: null,
    data: {
      caseId: '01a20621-ad00-7f3e-9a51-0b7d3e2c6f84',
      sla: 'response',
      policyVersion: Story.policyVersion,
      startedAt: '2026-11-23T02:00:00.000Z',
      deadline: '2026-11-24T02:00:00.000Z',
      windowMs: 86_400_000,
      elapsedMs: 108_000_000,
      pausedMs: 0,
      breachedAt: '2026-11-24T02:00:00.000Z',
      shareOfWindow: 1.25,
      detectedLate: true,
    },
  },
});

export const slaMet = defineEvent({
  type: 'sla.met',
  version: 1,
  topic: Topics.SlaAlerts,
  producer: Services.Audit,
  summary: "An SLA's end fact arrived before its deadline.",
  dataSchema: Type.Object(
    {
      ...slaProperties(),
      metAt: IsoTimestamp('time of the end fact, e.g. removal confirmed for the removal SLA'),
      shareOfWindow: Ratio(),
    },
    strict,
  ),
  example: {
    ...slaEnvelope,
    id: Story.events.slaMet,
    type: 'sla.met',
    occurredAt: '2026-11-23T08:23:05.050Z',
    causationId: Story.events.takedownConfirmed,
    data: {
      caseId: Story.caseId,
      sla: 'removal',
      policyVersion: Story.policyVersion,
      startedAt: '2026-11-23T08:00:00.000Z',
      deadline: '2026-11-24T08:00:00.000Z',
      windowMs: 86_400_000,
      elapsedMs: 1_378_000,
      pausedMs: 0,
      metAt: '2026-11-23T08:22:58.000Z',
      shareOfWindow: 0.01595,
    },
  },
});

export const SLA_ALERTS_EVENTS = [slaAtRisk, slaBreached, slaMet] as const;

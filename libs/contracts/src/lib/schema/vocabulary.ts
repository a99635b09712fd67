import { Type } from '@sinclair/typebox';
import { StringEnum, Text } from './primitives';

/** Values shared by several events. Each list is closed: adding a value is a contract change. */

export const RISK_BANDS = ['low', 'medium', 'high', 'critical'] as const;
export const RiskBand = () => StringEnum(RISK_BANDS, { description: 'risk band from the scoring ruleset' });

export const DECISION_ACTIONS = ['remove', 'disable', 'restrict', 'no-action', 'insufficient'] as const;
export const DecisionAction = () =>
  StringEnum(DECISION_ACTIONS, {
    description: '`insufficient`: the information does not allow a decision (e.g. the notice lacks substance)',
  });

/** Actions a platform is asked to execute; `no-action` and `insufficient` never reach a platform. */
export const TAKEDOWN_ACTIONS = ['remove', 'disable', 'restrict'] as const;
export const TakedownAction = () => StringEnum(TAKEDOWN_ACTIONS);

export const DECISION_GROUNDS = ['illegal', 'terms'] as const;
export const DecisionGround = () =>
  StringEnum(DECISION_GROUNDS, { description: '`illegal`: contrary to law; `terms`: incompatible with the terms of service' });

export const NOTICE_SOURCE_TYPES = ['public', 'trusted-flagger', 'authority-order'] as const;
export const NoticeSourceType = () =>
  StringEnum(NOTICE_SOURCE_TYPES, {
    description: 'DSA Art. 16 notice from anyone, Art. 22 trusted flagger, or an order from an authority',
  });

/**
 * What a case is about. Drives the SLA policy (e.g. minors: 1 h internal target and Art. 18
 * referral) and the Transparency Database category.
 */
export const ABUSE_CATEGORIES = [
  'human-trafficking',
  'pimping',
  'minors',
  'sexual-services-terms',
  'other-illegal',
  'other-terms',
] as const;
export const AbuseCategory = () => StringEnum(ABUSE_CATEGORIES);

export const SLA_KINDS = ['response', 'removal', 'referral'] as const;
export const SlaKind = () =>
  StringEnum(SLA_KINDS, {
    description:
      '`response`: notice receipt to decision communicated to the notifier; `removal`: knowledge to content inaccessible; `referral`: knowledge to Art. 18 referral',
  });

export const AUTOMATION_LEVELS = ['fully', 'partially', 'not-automated'] as const;
export const AutomationLevel = () => StringEnum(AUTOMATION_LEVELS);

export const DELIVERY_CHANNELS = ['webhook', 'kafka'] as const;
export const DeliveryChannel = () =>
  StringEnum(DELIVERY_CHANNELS, { description: 'how takedown commands reach the platform' });

/** A person or component acting on a case; moderators are pseudonymous ids, never names. */
export const Actor = () =>
  Type.Object(
    {
      kind: StringEnum(['moderator', 'system'] as const),
      id: Text(100, 'moderator id or component name'),
    },
    { additionalProperties: false },
  );

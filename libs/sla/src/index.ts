export {
  CLOCK_ANOMALY_CODES,
  detectClockAnomalies,
  type ClockAnomaly,
  type ClockAnomalyCode,
  type ClockFacts,
} from './lib/anomalies';
export {
  effectiveDeadline,
  elapsedMs,
  isPausedAt,
  mergePauses,
  pausedDurationMs,
  type ClockPause,
  type Interval,
} from './lib/clock';
export {
  crossedWarnings,
  evaluateSla,
  SLA_STATES,
  type SlaEvaluation,
  type SlaEvaluationInput,
  type SlaKind,
  type SlaState,
} from './lib/evaluate';
export {
  establishKnowledge,
  KNOWLEDGE_BASES,
  type EstablishedKnowledge,
  type Knowledge,
  type KnowledgeBasis,
  type KnowledgeFacts,
  type ProvisionalKnowledge,
} from './lib/knowledge';
export {
  DEFAULT_SLA_POLICY,
  DEFAULT_SLA_POLICY_VERSION,
  HOUR_MS,
  parseSlaPolicy,
  SlaPolicyError,
  type AbuseCategory,
  type NoticeSourceType,
  type SlaDurations,
  type SlaOverride,
  type SlaOverrideMatch,
  type SlaPolicy,
  type SlaPolicyProblem,
} from './lib/policy';
export { compareReviewPriority, type ReviewItem } from './lib/priority';
export {
  resolveDurations,
  resolveTargets,
  type RemovalWindow,
  type ResolvedTargets,
  type SlaWindow,
  type TargetQuery,
} from './lib/targets';
export { toEpochMs, toIsoTimestamp } from './lib/time';

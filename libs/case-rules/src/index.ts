export { automaticRemovalFor, flagCategory, type AutomaticRemoval, type AutomaticRemovalPolicy, type FlagAssessment } from './lib/automatic-removal';
export { CATEGORY_PROFILES, type CategoryProfile } from './lib/categories';
export { casePriority, strongerSource, type CasePriority, type PriorityInput } from './lib/priority';
export { crossesRepeatOffenderThreshold, notifierStanding, type NotifierStanding } from './lib/repeat-offenders';
export { appealDeadline, buildStatementOfReasons, type StatementInput } from './lib/statement-of-reasons';
export type {
  AbuseCategory,
  AutomationLevel,
  CaseOrigin,
  DecisionAction,
  DecisionGround,
  NoticeSourceType,
  RiskBand,
  StatementCategory,
  StatementKeyword,
  StatementOfReasons,
} from './lib/vocabulary';

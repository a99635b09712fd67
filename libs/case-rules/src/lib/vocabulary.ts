import type { ABUSE_CATEGORIES, DECISION_ACTIONS, DECISION_GROUNDS, EventData, NOTICE_SOURCE_TYPES, RISK_BANDS, TDB_KEYWORDS, TDB_STATEMENT_CATEGORIES } from '@vigie/contracts';

export type AbuseCategory = (typeof ABUSE_CATEGORIES)[number];
export type NoticeSourceType = (typeof NOTICE_SOURCE_TYPES)[number];
export type DecisionAction = (typeof DECISION_ACTIONS)[number];
export type DecisionGround = (typeof DECISION_GROUNDS)[number];
export type RiskBand = (typeof RISK_BANDS)[number];
export type StatementCategory = (typeof TDB_STATEMENT_CATEGORIES)[number];
export type StatementKeyword = (typeof TDB_KEYWORDS)[number];
export type StatementOfReasons = EventData<'uploader.informed'>['statementOfReasons'];
export type AutomationLevel = EventData<'case.decided'>['automatedDecision'];
export type CaseOrigin = EventData<'case.opened'>['origin'];

import { MessagingTables1763856000000 } from './1763856000000-messaging-tables';
import { AuditLog1763856800000 } from './1763856800000-audit-log';
import { AuditProjections1763856900000 } from './1763856900000-audit-projections';
import { TdbSubmissionBatches1763857000000 } from './1763857000000-tdb-submission-batches';
import { HistoryImports1763857100000 } from './1763857100000-history-imports';
import { HistoryImportPositions1763857200000 } from './1763857200000-history-import-positions';
import { AuditLogTraceIds1763857250000 } from './1763857250000-audit-log-trace-ids';
import { CaseFactsSlaReportIndex1763857300000 } from './1763857300000-case-facts-sla-report-index';
import { NoticeFactsCaseIdsIndex1763857350000 } from './1763857350000-notice-facts-case-ids-index';
import { ProjectionGinDirectUpdates1763857400000 } from './1763857400000-projection-gin-direct-updates';
import { CaseFactsBreachIndexes1763857450000 } from './1763857450000-case-facts-breach-indexes';
import { InboxWithoutAppliedAtIndex1763857500000 } from './1763857500000-inbox-without-applied-at-index';

/** Every migration of the audit schema, oldest first. */
export const auditMigrations = [
  MessagingTables1763856000000,
  AuditLog1763856800000,
  AuditProjections1763856900000,
  TdbSubmissionBatches1763857000000,
  HistoryImports1763857100000,
  HistoryImportPositions1763857200000,
  AuditLogTraceIds1763857250000,
  CaseFactsSlaReportIndex1763857300000,
  NoticeFactsCaseIdsIndex1763857350000,
  ProjectionGinDirectUpdates1763857400000,
  CaseFactsBreachIndexes1763857450000,
  InboxWithoutAppliedAtIndex1763857500000,
];

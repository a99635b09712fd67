import { Module } from '@nestjs/common';
import { AuditLogConsumer } from './consumers/audit-log.consumer';
import { AuditLogAppender } from './services/audit-log-appender.service';
import { AuditLogReader } from './services/audit-log-reader.service';

/**
 * The hash-chained, append-only log of every event. Other features read it through
 * `AuditLogReader` (tail by position); nothing but `AuditLogAppender` writes it.
 */
@Module({
  controllers: [AuditLogConsumer],
  providers: [AuditLogAppender, AuditLogReader],
  exports: [AuditLogReader, AuditLogAppender],
})
export class LogModule {}

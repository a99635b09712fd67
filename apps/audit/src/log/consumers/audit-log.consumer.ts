import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Services, TOPIC_CATALOGUE } from '@vigie/contracts';
import type { EventBatch } from '@vigie/messaging';
import { AuditLogAppender } from '../services/audit-log-appender.service';

/** Every topic the catalogue says the audit consumes: all of them, so the log misses no fact. */
export const AUDITED_TOPICS = TOPIC_CATALOGUE.filter((topic) => topic.consumers.includes(Services.Audit)).map((topic) => topic.name);

/**
 * Appends every event of every domain topic to the log. No inbox row is written for them
 * (`deduplication: 'handler'` in audit.service.ts): the appender skips every event id the log
 * already holds, which covers redeliveries as well as appends by anyone else.
 */
@Controller()
export class AuditLogConsumer {
  constructor(private readonly appender: AuditLogAppender) {}

  @EventPattern(AUDITED_TOPICS)
  async onEvents(@Payload() batch: EventBatch): Promise<void> {
    const appended = await this.appender.append(batch.manager, batch.events);
    batch.reportDuplicates(batch.events.length - appended);
  }
}

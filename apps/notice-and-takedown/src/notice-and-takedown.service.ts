import type { ServiceDefinition } from '@vigie/service-kit';
import { NoticeAndTakedownModule } from './app/notice-and-takedown.module';
import { adTraces } from './cases/services/ad-traces';
import { noticeAndTakedownMigrations } from './migrations';
import { loadNoticeAndTakedownSettings } from './notice-and-takedown.settings';

export const noticeAndTakedownService: ServiceDefinition = {
  name: 'notice-and-takedown',
  description: 'DSA notices, cases and the knowledge clock, review queue, decisions, statements of reasons, takedown commands, appeals and referrals. Authenticate with `Authorization: Bearer <API key>` (keys are issued by ingest); public notices may be sent without a key.',
  defaultPort: 3003,
  schema: 'notice_and_takedown',
  migrations: noticeAndTakedownMigrations,
  module: NoticeAndTakedownModule,
  settings: loadNoticeAndTakedownSettings,
  // Notices are the busiest HTTP intake: kafkajs's request encoding runs beside it, not on it.
  publishFromWorkerThread: true,
  // Events about an ad published from HTTP calls and workers continue the ad's trace.
  subjectTraces: adTraces,
};

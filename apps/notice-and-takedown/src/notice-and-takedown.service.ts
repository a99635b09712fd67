import type { ServiceDefinition } from '@vigie/service-kit';
import { NoticeAndTakedownModule } from './app/notice-and-takedown.module';
import { noticeAndTakedownMigrations } from './migrations';

export const noticeAndTakedownService: ServiceDefinition = {
  name: 'notice-and-takedown',
  description: 'DSA notices, cases and the knowledge clock, review queue, decisions, statements of reasons, takedown commands, appeals and referrals.',
  defaultPort: 3003,
  schema: 'notice_and_takedown',
  migrations: noticeAndTakedownMigrations,
  module: NoticeAndTakedownModule,
};

import { MessagingTables1763856000000 } from './1763856000000-messaging-tables';

/** Every migration of the notice-and-takedown schema, oldest first. */
export const noticeAndTakedownMigrations = [MessagingTables1763856000000];

import { MessagingTables1763856000000 } from './1763856000000-messaging-tables';

/** Every migration of the scoring schema, oldest first. */
export const scoringMigrations = [MessagingTables1763856000000];

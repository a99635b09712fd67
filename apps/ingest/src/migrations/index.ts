import { MessagingTables1763856000000 } from './1763856000000-messaging-tables';

/** Every migration of the ingest schema, oldest first. */
export const ingestMigrations = [MessagingTables1763856000000];

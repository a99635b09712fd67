import { MessagingTables1763856000000 } from './1763856000000-messaging-tables';

/** Every migration of the audit schema, oldest first. */
export const auditMigrations = [MessagingTables1763856000000];

import { MessagingTables1763856000000 } from './1763856000000-messaging-tables';
import { Assessments1763856400000 } from './1763856400000-assessments';
import { InboxWithoutAppliedAtIndex1763857500000 } from './1763857500000-inbox-without-applied-at-index';
import { RescoreQueue1763857600000 } from './1763857600000-rescore-queue';

/** Every migration of the scoring schema, oldest first. */
export const scoringMigrations = [MessagingTables1763856000000, Assessments1763856400000, InboxWithoutAppliedAtIndex1763857500000, RescoreQueue1763857600000];

import { MessagingTables1763856000000 } from './1763856000000-messaging-tables';
import { PlatformRegistry1763856100000 } from './1763856100000-platform-registry';
import { AdState1763856200000 } from './1763856200000-ad-state';
import { PrincipalKeys1763856600000 } from './1763856600000-principal-keys';
import { InboxWithoutAppliedAtIndex1763857500000 } from './1763857500000-inbox-without-applied-at-index';
import { AdUpdatedClaims1763857600000 } from './1763857600000-ad-updated-claims';

/** Every migration of the ingest schema, oldest first. */
export const ingestMigrations = [MessagingTables1763856000000, PlatformRegistry1763856100000, AdState1763856200000, PrincipalKeys1763856600000, InboxWithoutAppliedAtIndex1763857500000, AdUpdatedClaims1763857600000];

import { MessagingTables1763856000000 } from './1763856000000-messaging-tables';
import { Cases1763856700000 } from './1763856700000-cases';
import { AdTraces1763857250000 } from './1763857250000-ad-traces';
import { AdsUrlIndex1763857350000 } from './1763857350000-ads-url-index';
import { InboxWithoutAppliedAtIndex1763857500000 } from './1763857500000-inbox-without-applied-at-index';
import { WaitingCasesAndKafkaCommandsIndexes1763857600000 } from './1763857600000-waiting-cases-and-kafka-commands-indexes';
import { CommandsAwaitingTheirAd1763857700000 } from './1763857700000-commands-awaiting-their-ad';
import { AdAddressesFromPlatformsOnly1763857800000 } from './1763857800000-ad-addresses-from-platforms-only';

/** Every migration of the notice-and-takedown schema, oldest first. */
export const noticeAndTakedownMigrations = [
  MessagingTables1763856000000,
  Cases1763856700000,
  AdTraces1763857250000,
  AdsUrlIndex1763857350000,
  InboxWithoutAppliedAtIndex1763857500000,
  WaitingCasesAndKafkaCommandsIndexes1763857600000,
  CommandsAwaitingTheirAd1763857700000,
  AdAddressesFromPlatformsOnly1763857800000,
];

import { Module } from '@nestjs/common';
import { AppealsModule } from '../appeals/appeals.module';
import { CasesModule } from '../cases/cases.module';
import { FlagsModule } from '../flags/flags.module';
import { NoticesModule } from '../notices/notices.module';
import { ReviewModule } from '../review/review.module';
import { TakedownModule } from '../takedown/takedown.module';

/**
 * The notice-and-takedown service: notices in, cases and their clock, the review queue and
 * decisions, takedown commands out and their confirmations, appeals.
 */
@Module({ imports: [AppealsModule, CasesModule, FlagsModule, NoticesModule, ReviewModule, TakedownModule] })
export class NoticeAndTakedownModule {}

import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { NoticesController } from './controllers/notices.controller';
import { NoticeIntake } from './services/notice-intake.service';
import { NoticeJudgement } from './services/notice-judgement.service';

/** DSA Art. 16 notices and authority orders: intake, acknowledgement, qualification. */
@Module({
  imports: [CasesModule],
  controllers: [NoticesController],
  providers: [NoticeIntake, NoticeJudgement],
  exports: [NoticeJudgement],
})
export class NoticesModule {}

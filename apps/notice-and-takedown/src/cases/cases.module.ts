import { Module } from '@nestjs/common';
import { TakedownModule } from '../takedown/takedown.module';
import { AdsIngestedConsumer } from './consumers/ads-ingested.consumer';
import { CasesController } from './controllers/cases.controller';
import { CaseLedger } from './services/case-ledger.service';
import { CaseView } from './services/case-view.service';
import { PlatformDirectory } from './services/platform-directory.service';

/** Cases and their clock, what the service knows of ads, and the read API. */
@Module({
  imports: [TakedownModule],
  controllers: [AdsIngestedConsumer, CasesController],
  providers: [CaseLedger, CaseView, PlatformDirectory],
  exports: [CaseLedger, PlatformDirectory],
})
export class CasesModule {}

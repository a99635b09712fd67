import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { NoticesModule } from '../notices/notices.module';
import { TakedownModule } from '../takedown/takedown.module';
import { ReviewController } from './controllers/review.controller';
import { DecisionMetrics } from './services/decision-metrics';
import { DecisionService } from './services/decision.service';
import { ReviewQueue } from './services/review-queue.service';

/** The moderators' queue, leases, clock pauses and decisions. */
@Module({
  imports: [CasesModule, NoticesModule, TakedownModule],
  controllers: [ReviewController],
  providers: [DecisionService, DecisionMetrics, ReviewQueue],
  exports: [DecisionService, ReviewQueue],
})
export class ReviewModule {}

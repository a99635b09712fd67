import { Module } from '@nestjs/common';
import { AdsIngestedConsumer } from './consumers/ads-ingested.consumer';
import { AssessmentsController } from './controllers/assessments.controller';
import { AdAssessor } from './services/ad-assessor.service';
import { NetworkRebuild } from './services/network-rebuild.service';
import { NetworkState } from './services/network-state.service';
import { RescoreDrainer } from './services/rescore-drainer.service';
import { RescoreMetrics } from './services/rescore-metrics';

/** Scoring of ingested ads: text indicators, network evidence, re-assessments, and their API. */
@Module({
  controllers: [AdsIngestedConsumer, AssessmentsController],
  providers: [AdAssessor, NetworkRebuild, NetworkState, RescoreDrainer, RescoreMetrics],
  exports: [NetworkState],
})
export class AssessmentsModule {}

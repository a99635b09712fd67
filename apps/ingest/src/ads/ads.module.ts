import { Module } from '@nestjs/common';
import { PlatformsModule } from '../platforms/platforms.module';
import { AdsSubmittedConsumer } from './consumers/ads-submitted.consumer';
import { AdsController } from './controllers/ads.controller';
import { AdIntakeService } from './services/ad-intake.service';
import { AdSubmissionService } from './services/ad-submission.service';
import { IngestMetrics } from './services/ingest-metrics';
import { NdjsonImportService } from './services/ndjson-import.service';
import { PublishGate } from './services/publish-gate.service';

/** Ad streams in: HTTP batch, NDJSON backfill, removal reports, and the Kafka-native topic. */
@Module({
  imports: [PlatformsModule],
  controllers: [AdsController, AdsSubmittedConsumer],
  providers: [AdIntakeService, AdSubmissionService, IngestMetrics, NdjsonImportService, PublishGate],
})
export class AdsModule {}

import { Module } from '@nestjs/common';
import { AdsModule } from '../ads/ads.module';
import { PlatformsModule } from '../platforms/platforms.module';

/** The ingest service: the platform registry and the ad streams. */
@Module({ imports: [AdsModule, PlatformsModule] })
export class IngestModule {}

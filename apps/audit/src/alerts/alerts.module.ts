import { Module } from '@nestjs/common';
import { ProjectionsModule } from '../projections/projections.module';
import { AlertDispatcher } from './services/alert-dispatcher.service';
import { SlaMetrics } from './services/sla-metrics';

@Module({
  imports: [ProjectionsModule],
  providers: [AlertDispatcher, SlaMetrics],
  exports: [AlertDispatcher, SlaMetrics],
})
export class AlertsModule {}

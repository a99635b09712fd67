import { Module } from '@nestjs/common';
import { ProjectionsModule } from '../projections/projections.module';
import { AlertDispatcher } from './services/alert-dispatcher.service';

@Module({
  imports: [ProjectionsModule],
  providers: [AlertDispatcher],
  exports: [AlertDispatcher],
})
export class AlertsModule {}

import { Module } from '@nestjs/common';
import { AlertPlanner } from '../alerts/services/alert-planner.service';
import { ProjectionsController } from './controllers/projections.controller';
import { ProjectionSettingsProvider } from './services/projection-settings';
import { ProjectorService } from './services/projector.service';

@Module({
  controllers: [ProjectionsController],
  providers: [ProjectionSettingsProvider, AlertPlanner, ProjectorService],
  exports: [ProjectionSettingsProvider, ProjectorService],
})
export class ProjectionsModule {}

import { Module } from '@nestjs/common';
import { LogModule } from '../log/log.module';
import { ProjectionsModule } from '../projections/projections.module';
import { HistoryImportsController } from './controllers/history-imports.controller';
import { HistoryImportService } from './services/history-import.service';

@Module({
  imports: [LogModule, ProjectionsModule],
  controllers: [HistoryImportsController],
  providers: [HistoryImportService],
})
export class ImportsModule {}

import { Module } from '@nestjs/common';
import { ProjectionsModule } from '../projections/projections.module';
import { ExportsController } from './controllers/exports.controller';
import { TdbSubmissionController } from './controllers/tdb-submission.controller';
import { StatementsExportService } from './services/statements-export.service';
import { TdbSubmissionService } from './services/tdb-submission.service';

@Module({
  imports: [ProjectionsModule],
  controllers: [ExportsController, TdbSubmissionController],
  providers: [StatementsExportService, TdbSubmissionService],
})
export class ExportsModule {}

import { Module } from '@nestjs/common';
import { ReportsController } from './controllers/reports.controller';
import { SlaReportService } from './services/sla-report.service';
import { TimelineService } from './services/timeline.service';
import { TransparencyReportService } from './services/transparency-report.service';

@Module({
  controllers: [ReportsController],
  providers: [SlaReportService, TimelineService, TransparencyReportService],
})
export class ReportsModule {}

import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { CheckpointsModule } from '../checkpoints/checkpoints.module';
import { ExportsModule } from '../exports/exports.module';
import { ImportsModule } from '../imports/imports.module';
import { LogModule } from '../log/log.module';
import { ProjectionsModule } from '../projections/projections.module';
import { ReportsModule } from '../reports/reports.module';
import { VerificationModule } from '../verification/verification.module';

/**
 * The audit service's feature module. Its controllers and event handlers arrive with the
 * audit issue; the operations endpoints (/health, /ready, /metrics, /docs) come from the
 * service kit.
 */
@Module({
  imports: [LogModule, CheckpointsModule, VerificationModule, ProjectionsModule, AlertsModule, ReportsModule, ExportsModule, ImportsModule],
})
export class AuditModule {}

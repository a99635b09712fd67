import { Module } from '@nestjs/common';

/**
 * The audit service's feature module. Its controllers and event handlers arrive with the
 * audit issue; the operations endpoints (/health, /ready, /metrics, /docs) come from the
 * service kit.
 */
@Module({})
export class AuditModule {}

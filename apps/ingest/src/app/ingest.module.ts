import { Module } from '@nestjs/common';

/**
 * The ingest service's feature module. Its controllers and event handlers arrive with the
 * ingest issue; the operations endpoints (/health, /ready, /metrics, /docs) come from the
 * service kit.
 */
@Module({})
export class IngestModule {}

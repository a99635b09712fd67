import { Module } from '@nestjs/common';

/**
 * The scoring service's feature module. Its controllers and event handlers arrive with the
 * scoring issue; the operations endpoints (/health, /ready, /metrics, /docs) come from the
 * service kit.
 */
@Module({})
export class ScoringModule {}

import { Module } from '@nestjs/common';

/**
 * The notice-and-takedown service's feature module. Its controllers and event handlers arrive with the
 * notice-and-takedown issue; the operations endpoints (/health, /ready, /metrics, /docs) come from the
 * service kit.
 */
@Module({})
export class NoticeAndTakedownModule {}

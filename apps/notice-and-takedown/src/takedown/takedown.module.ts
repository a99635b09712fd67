import { Module } from '@nestjs/common';
import { TakedownResultsConsumer } from './consumers/takedown-results.consumer';
import { TakedownResultsController } from './controllers/takedown-results.controller';
import { DeliveryTargets } from './services/delivery-targets.service';
import { RemovalVerifier } from './services/removal-verifier.service';
import { TakedownCommands } from './services/takedown-commands.service';
import { TakedownConfirmations } from './services/takedown-confirmations.service';
import { TakedownMetrics } from './services/takedown-metrics';
import { TakedownSignals } from './services/takedown-signals.service';
import { WebhookDelivery } from './services/webhook-delivery.service';

/**
 * Takedown and reinstatement commands to platforms: requested by decisions and appeals
 * (`TakedownCommands`), delivered by signed webhook or Kafka, confirmed by the platform or
 * its ad stream, and verified by an independent probe of the ad's address.
 */
@Module({
  controllers: [TakedownResultsController, TakedownResultsConsumer],
  providers: [
    TakedownCommands,
    TakedownConfirmations,
    DeliveryTargets,
    TakedownSignals,
    TakedownMetrics,
    WebhookDelivery,
    RemovalVerifier,
  ],
  exports: [TakedownCommands],
})
export class TakedownModule {}

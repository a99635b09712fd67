import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type EventOf } from '@vigie/contracts';
import type { EventBatch } from '@vigie/messaging';
import { SERVICE_SOURCE } from '../services/takedown-commands.service';
import { TakedownConfirmations } from '../services/takedown-confirmations.service';

/**
 * Confirmations Kafka-native platforms produce on `takedown.results.v1`. The topic also carries
 * this service's own results (delivered, failed, verified, and confirmations it recorded from
 * callbacks): those are skipped. A confirmation that does not match its command (another
 * platform's, another ad, another action) goes to the DLQ with the reason.
 */
@Controller()
export class TakedownResultsConsumer {
  constructor(private readonly confirmations: TakedownConfirmations) {}

  @EventPattern(Topics.TakedownResults)
  async onTakedownResults(@Payload() batch: EventBatch): Promise<void> {
    for (const consumed of batch.events) {
      const { event } = consumed;
      if (event.type !== 'takedown.confirmed' || event.source === SERVICE_SOURCE) continue;
      const rejection = await this.confirmations.confirmFromKafka(batch.manager, event as EventOf<'takedown.confirmed'>);
      if (rejection) batch.deadLetter(consumed, rejection);
    }
  }
}

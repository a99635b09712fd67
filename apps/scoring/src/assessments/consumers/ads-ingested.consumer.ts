import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type EventOf } from '@vigie/contracts';
import type { EventBatch } from '@vigie/messaging';
import { AdAssessor } from '../services/ad-assessor.service';

type IngestedAd = EventOf<'ad.ingested'> | EventOf<'ad.updated'>;

/**
 * Scores every new ad version from `ads.ingested.v1` and publishes `ad.scored` (plus
 * `ad.rescored` for linked ads) through the outbox, in the consumer's transaction.
 */
@Controller()
export class AdsIngestedConsumer {
  constructor(private readonly assessor: AdAssessor) {}

  @EventPattern(Topics.AdsIngested)
  async onAdsIngested(@Payload() batch: EventBatch): Promise<void> {
    const ads: IngestedAd[] = [];
    const removed: { platformId: string; adId: string }[] = [];
    for (const { event } of batch.events) {
      if (event.type === 'ad.ingested' || event.type === 'ad.updated') ads.push(event as IngestedAd);
      else if (event.type === 'ad.removed') removed.push({ platformId: event.tenant, adId: (event as EventOf<'ad.removed'>).data.platformAdId });
    }
    if (removed.length > 0) {
      await batch.manager.query(
        `UPDATE scoring.assessments a SET removed = true
           FROM unnest($1::text[], $2::text[]) AS r(platform_id, ad_id)
          WHERE a.platform_id = r.platform_id AND a.ad_id = r.ad_id`,
        [removed.map((r) => r.platformId), removed.map((r) => r.adId)],
      );
    }
    const events = await this.assessor.assess(batch.manager, ads);
    await batch.outbox.enqueue(batch.manager, events);
  }
}

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
    const versioned = new Set<string>();
    // Each ad's last event in the batch decides whether it ends removed.
    const lastRemoval = new Map<string, { platformId: string; adId: string } | null>();
    for (const { event } of batch.events) {
      if (event.type === 'ad.ingested' || event.type === 'ad.updated') {
        const ad = event as IngestedAd;
        ads.push(ad);
        versioned.add(`${ad.tenant}:${ad.data.platformAdId}`);
        lastRemoval.set(`${ad.tenant}:${ad.data.platformAdId}`, null);
      } else if (event.type === 'ad.removed') {
        const adId = (event as EventOf<'ad.removed'>).data.platformAdId;
        lastRemoval.set(`${event.tenant}:${adId}`, { platformId: event.tenant, adId });
      }
    }
    // Ads only removed here are marked first, so the batch does not re-score them; ads whose
    // removal follows a version of this batch are marked after it is saved (saving marks live).
    const removedOnly: Removal[] = [];
    const removedAfterVersion: Removal[] = [];
    for (const [key, removal] of lastRemoval) if (removal !== null) (versioned.has(key) ? removedAfterVersion : removedOnly).push(removal);
    await markRemoved(batch, removedOnly);
    const events = await this.assessor.assess(batch.manager, ads);
    await markRemoved(batch, removedAfterVersion);
    await batch.outbox.enqueue(batch.manager, events);
  }
}

interface Removal {
  readonly platformId: string;
  readonly adId: string;
}

async function markRemoved(batch: EventBatch, removals: readonly Removal[]): Promise<void> {
  if (removals.length === 0) return;
  await batch.manager.query(
    `UPDATE scoring.assessments a SET removed = true
       FROM unnest($1::text[], $2::text[]) AS r(platform_id, ad_id)
      WHERE a.platform_id = r.platform_id AND a.ad_id = r.ad_id`,
    [removals.map((r) => r.platformId), removals.map((r) => r.adId)],
  );
}

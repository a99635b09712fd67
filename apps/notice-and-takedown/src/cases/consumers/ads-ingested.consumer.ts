import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type EventOf } from '@vigie/contracts';
import { formatTraceparent, traceOf, type EventBatch } from '@vigie/messaging';
import { TakedownCommands } from '../../takedown/services/takedown-commands.service';

type AdVersion = EventOf<'ad.ingested'> | EventOf<'ad.updated'>;

/**
 * What this service needs of each ad (its address, publication time, poster account and
 * contacts — never its text) and the trace its latest version travels in, and removals seen
 * in the platform's own stream, which are removal evidence for the case (`removedAt`).
 */
@Controller()
export class AdsIngestedConsumer {
  constructor(private readonly takedownCommands: TakedownCommands) {}

  @EventPattern(Topics.AdsIngested)
  async onAdsIngested(@Payload() batch: EventBatch): Promise<void> {
    for (const consumed of batch.events) {
      const { event } = consumed;
      if (event.type === 'ad.ingested' || event.type === 'ad.updated') {
        const { data } = event as AdVersion;
        const trace = traceOf(consumed);
        await batch.manager.query(
          `INSERT INTO notice_and_takedown.ads
             (platform_id, ad_id, url, version, published_at, language, country, poster_account_id, contacts, has_images, ingested_at,
              trace_parent, trace_state)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (platform_id, ad_id) DO UPDATE SET
             url = excluded.url, version = excluded.version, published_at = excluded.published_at, language = excluded.language,
             country = excluded.country, poster_account_id = excluded.poster_account_id, contacts = excluded.contacts,
             has_images = excluded.has_images, trace_parent = excluded.trace_parent, trace_state = excluded.trace_state
           WHERE notice_and_takedown.ads.version < excluded.version`,
          [
            event.tenant,
            data.platformAdId,
            data.url,
            data.adVersion,
            data.publishedAt,
            data.language ?? null,
            data.location.country,
            data.posterAccountId,
            [...data.contacts.phones, ...data.contacts.emails, ...data.contacts.handles],
            data.images.length > 0,
            data.receivedAt,
            trace ? formatTraceparent(trace) : null,
            trace?.traceState?.serialize() || null,
          ],
        );
        // A case opened before the ad arrived learns when it went live.
        await batch.manager.query(
          `UPDATE notice_and_takedown.cases SET published_at = COALESCE(published_at, $3), ad_url = COALESCE(ad_url, $4)
            WHERE platform_id = $1 AND ad_id = $2`,
          [event.tenant, data.platformAdId, data.publishedAt, data.url],
        );
      } else if (event.type === 'ad.removed') {
        const { data } = event as EventOf<'ad.removed'>;
        await batch.manager.query(
          `UPDATE notice_and_takedown.ads SET removed_at = COALESCE(removed_at, $3), removed_by = $4, removal_command_id = $5,
                  removal_received_at = $6
            WHERE platform_id = $1 AND ad_id = $2`,
          [event.tenant, data.platformAdId, data.removedAt, data.removedBy, data.commandId, data.receivedAt],
        );
        await this.takedownCommands.recordRemoval(batch.manager, {
          platformId: event.tenant,
          adId: data.platformAdId,
          removedAt: new Date(data.removedAt),
          commandId: data.commandId,
          source: 'ad-stream',
          platformReference: null,
          causationId: event.id,
        });
      }
    }
  }
}

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
    // Set-based: one statement for every ad version of the batch and one for the cases that
    // waited for their ad, instead of two round trips per ad (ads are most of this topic).
    const latest = new Map<string, AdRow>();
    const removals: EventOf<'ad.removed'>[] = [];
    for (const consumed of batch.events) {
      const { event } = consumed;
      if (event.type === 'ad.ingested' || event.type === 'ad.updated') {
        const row = adRow(event as AdVersion, traceOf(consumed));
        const key = `${row.platform_id}\u0000${row.ad_id}`;
        const seen = latest.get(key);
        // Versions only go up: the latest one wins, as the version guard below would decide.
        if (!seen || seen.version < row.version) latest.set(key, { ...row, first_published_at: seen?.first_published_at ?? row.published_at });
      } else if (event.type === 'ad.removed') {
        removals.push(event as EventOf<'ad.removed'>);
      }
    }
    if (latest.size > 0) {
      const rows = JSON.stringify([...latest.values()]);
      await batch.manager.query(
        `INSERT INTO notice_and_takedown.ads AS a
           (platform_id, ad_id, url, version, published_at, language, country, poster_account_id, contacts, has_images, ingested_at,
            trace_parent, trace_state)
         SELECT v.platform_id, v.ad_id, v.url, v.version, v.published_at, v.language, v.country, v.poster_account_id,
                ARRAY(SELECT json_array_elements_text(v.contacts)), v.has_images, v.ingested_at, v.trace_parent, v.trace_state
           FROM json_to_recordset($1::json) AS v(platform_id text, ad_id text, url text, version int, published_at timestamptz,
                language text, country text, poster_account_id text, contacts json, has_images boolean, ingested_at timestamptz,
                trace_parent text, trace_state text)
         ON CONFLICT (platform_id, ad_id) DO UPDATE SET
           url = excluded.url, version = excluded.version, published_at = excluded.published_at, language = excluded.language,
           country = excluded.country, poster_account_id = excluded.poster_account_id, contacts = excluded.contacts,
           has_images = excluded.has_images, trace_parent = excluded.trace_parent, trace_state = excluded.trace_state
         WHERE a.version < excluded.version`,
        [rows],
      );
      // A case opened before the ad arrived learns when it went live and where it is.
      await batch.manager.query(
        `UPDATE notice_and_takedown.cases AS c
            SET published_at = COALESCE(c.published_at, v.first_published_at), ad_url = COALESCE(c.ad_url, v.url)
           FROM json_to_recordset($1::json) AS v(platform_id text, ad_id text, url text, first_published_at timestamptz)
          WHERE c.platform_id = v.platform_id AND c.ad_id = v.ad_id AND (c.published_at IS NULL OR c.ad_url IS NULL)`,
        [rows],
      );
      // Commands the removal verifier set aside for want of this ad's address are due again.
      await batch.manager.query(
        `UPDATE notice_and_takedown.takedown_commands AS c SET awaiting_ad = false
           FROM json_to_recordset($1::json) AS v(platform_id text, ad_id text, url text)
          WHERE c.awaiting_ad AND c.platform_id = v.platform_id AND c.ad_id = v.ad_id AND v.url IS NOT NULL`,
        [rows],
      );
    }
    for (const event of removals) {
      const { data } = event;
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

interface AdRow {
  platform_id: string;
  ad_id: string;
  url: string;
  version: number;
  published_at: string;
  first_published_at: string;
  language: string | null;
  country: string;
  poster_account_id: string;
  contacts: string[];
  has_images: boolean;
  ingested_at: string;
  trace_parent: string | null;
  trace_state: string | null;
}

function adRow(event: AdVersion, trace: ReturnType<typeof traceOf>): AdRow {
  const { data } = event;
  return {
    platform_id: event.tenant,
    ad_id: data.platformAdId,
    url: data.url,
    version: data.adVersion,
    published_at: data.publishedAt,
    first_published_at: data.publishedAt,
    language: data.language ?? null,
    country: data.location.country,
    poster_account_id: data.posterAccountId,
    contacts: [...data.contacts.phones, ...data.contacts.emails, ...data.contacts.handles],
    has_images: data.images.length > 0,
    ingested_at: data.receivedAt,
    trace_parent: trace ? formatTraceparent(trace) : null,
    trace_state: trace?.traceState?.serialize() || null,
  };
}

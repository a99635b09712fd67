import { Inject, Injectable } from '@nestjs/common';
import { changedFields, type ContentField, type NormalisedAd } from '@vigie/ad-intake';
import {
  ContractViolationError,
  createEvent,
  EVENT_DEFINITIONS,
  subjectFor,
  uuidv7,
  type AnyEvent,
  type EventOf,
  type EventType,
} from '@vigie/contracts';
import type { Outbox, PendingRecord } from '@vigie/messaging';
import { OUTBOX } from '@vigie/service-kit';
import type { EntityManager } from 'typeorm';
import type { IntakeChannel } from './ingest-metrics';

export type RemovedBy = 'platform-moderation' | 'uploader' | 'expiry' | 'takedown-command' | 'unknown';

export type IntakeItem = { index: number; causationId?: string } & (
  | { kind: 'ad'; normalised: NormalisedAd }
  | {
      kind: 'removal';
      adId: string;
      removedAt: string;
      removedBy: RemovedBy;
      commandId: string | null;
      reason: string | null;
    }
);

export interface ItemResult {
  index: number;
  platformAdId: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  event?: 'ad.ingested' | 'ad.updated' | 'ad.removed';
  eventId?: string;
  version?: number;
  errors?: { field: string; reason: string }[];
}

export interface IntakeOptions {
  channel: IntakeChannel;
  /** Server receipt time: the `receivedAt` of every event, never a client claim. */
  receivedAt: Date;
  /** Set when the caller publishes the events itself right after commit (see `Outbox.enqueue`). */
  publishItselfWithinMs?: number;
}

type ResolvedIntakeOptions = IntakeOptions & { receivedAtIso: string };

interface AdStateRow {
  ad_id: string;
  version: number;
  content_hash: string;
  field_hashes: Partial<Record<ContentField, string>>;
  status: 'live' | 'removed';
  /** The platform's updatedAt of this version, or removedAt of its removal; null for ads stored before it was kept. */
  updated_claim: Date | string | null;
}

/** Content older, by the platform's own claim, than the version already recorded. */
class StaleResendError extends Error {}

/** Attempts of one intake when concurrent requests keep storing its new ads first. */
const MAX_INTAKE_ATTEMPTS = 8;

/**
 * Turns validated, normalised items into ad events, inside the caller's transaction:
 * first sight → `ad.ingested`, new content → `ad.updated` (next version, changed fields),
 * same content again → duplicate (no event), removal → `ad.removed`. Two requests about one ad
 * are applied one after the other: a stored ad is row-locked; a new one is written only if no
 * concurrent request stored it first, else the intake starts again from its savepoint and sees
 * that ad as stored. (Advisory locks per ad did the same but filled the server's lock table:
 * 1,000 per batch times the concurrent batches exceeds max_locks_per_transaction.)
 */
@Injectable()
export class AdIntakeService {
  constructor(@Inject(OUTBOX) private readonly outbox: Outbox) {}

  async intake(
    manager: EntityManager,
    platformId: string,
    items: readonly IntakeItem[],
    options: IntakeOptions,
  ): Promise<{ results: ItemResult[]; pending: PendingRecord[] }> {
    const adIds = [...new Set(items.map(adIdOf))].sort();
    for (let attempt = 1; ; attempt++) {
      await manager.query('SAVEPOINT ad_intake');
      const outcome = await this.attempt(manager, platformId, adIds, items, options);
      if (outcome) return outcome;
      // A concurrent request stored one of the new ads first (and has committed: the write
      // waited for it). Nothing of this attempt is kept; the next one sees that ad stored.
      await manager.query('ROLLBACK TO SAVEPOINT ad_intake');
      if (attempt === MAX_INTAKE_ATTEMPTS) throw new Error(`ad intake for ${platformId} kept losing races with concurrent requests (${attempt} attempts)`);
    }
  }

  /** One attempt; undefined when a new ad was stored by a concurrent request meanwhile. */
  private async attempt(
    manager: EntityManager,
    platformId: string,
    adIds: readonly string[],
    items: readonly IntakeItem[],
    options: IntakeOptions,
  ): Promise<{ results: ItemResult[]; pending: PendingRecord[] } | undefined> {
    // Sorted, so two requests lock their common ads in the same order (no deadlock). One index
    // probe per id, written as a join: as `ad_id = ANY($2)`, a planner without statistics on
    // the table (autovacuum off or behind) probed by platform only and filtered every ad of the
    // platform, so each batch cost time in proportion to the ads already stored.
    const rows: AdStateRow[] = await manager.query(
      `SELECT a.ad_id, a.version, a.content_hash, a.field_hashes, a.status, a.updated_claim
         FROM unnest($2::text[]) AS wanted(ad_id)
         JOIN ingest.ads a ON a.platform_id = $1 AND a.ad_id = wanted.ad_id
        ORDER BY a.ad_id FOR UPDATE OF a`,
      [platformId, adIds],
    );
    const state = new Map(rows.map((row) => [row.ad_id, row]));
    const changed = new Map<string, AdStateRow & { removedAt: string | null; eventId: string }>();
    const results: ItemResult[] = [];
    const events: AnyEvent[] = [];
    const receivedAt = options.receivedAt.toISOString();
    const resolved: ResolvedIntakeOptions = { ...options, receivedAtIso: receivedAt };

    for (const item of items) {
      const adId = adIdOf(item);
      const previous = changed.get(adId) ?? state.get(adId);
      try {
        const outcome = item.kind === 'ad' ? this.adEvent(platformId, item, previous, resolved) : this.removalEvent(platformId, item, previous, resolved);
        if (!outcome) {
          results.push({ index: item.index, platformAdId: adId, status: 'duplicate', version: previous?.version });
          continue;
        }
        events.push(outcome.event);
        changed.set(adId, { ...outcome.row, eventId: outcome.event.id });
        results.push({
          index: item.index,
          platformAdId: adId,
          status: 'accepted',
          event: outcome.event.type as ItemResult['event'],
          eventId: outcome.event.id,
          version: outcome.row.version,
        });
      } catch (error) {
        if (error instanceof StaleResendError) {
          results.push({ index: item.index, platformAdId: adId, status: 'rejected', errors: [{ field: '/updatedAt', reason: error.message }] });
          continue;
        }
        if (!(error instanceof ContractViolationError)) throw error;
        // Ads were checked after normalisation already; this guards the removal events, whose
        // contract createEvent still checks.
        results.push({
          index: item.index,
          platformAdId: adId,
          status: 'rejected',
          errors: error.errors.map((e) => ({ field: e.path.replace(/^\/data/, ''), reason: e.message })),
        });
      }
    }

    if (changed.size > 0) {
      // One JSON parameter for all rows: arrays of JSON text would each be escaped element by
      // element on the way out and parsed again on the way in. Sorted like the locks above.
      const rowsJson = JSON.stringify(
        [...changed.values()].sort((a, b) => (a.ad_id < b.ad_id ? -1 : a.ad_id > b.ad_id ? 1 : 0)).map((v) => ({
          ad_id: v.ad_id,
          version: v.version,
          content_hash: v.content_hash,
          field_hashes: v.field_hashes,
          status: v.status,
          removed_at: v.removedAt,
          updated_claim: v.updated_claim,
          event_id: v.eventId,
          is_new: !state.has(v.ad_id),
        })),
      );
      const newAds = [...changed.keys()].filter((adId) => !state.has(adId)).length;
      // Stored ads are row-locked above and updated; new ones are inserted unless a concurrent
      // request stored them first (the insert waits for it), which the count tells.
      const [written]: { inserted: number }[] = await manager.query(
        `WITH v AS (
           SELECT * FROM json_to_recordset($3::json)
             AS v(ad_id text, version int, content_hash text, field_hashes jsonb, status text, removed_at timestamptz, updated_claim timestamptz, event_id uuid, is_new boolean)
         ), inserted AS (
           INSERT INTO ingest.ads (platform_id, ad_id, version, content_hash, field_hashes, status,
                                   first_received_at, last_received_at, removed_at, updated_claim, last_event_id)
           SELECT $1, v.ad_id, v.version, v.content_hash, v.field_hashes, v.status, $2, $2, v.removed_at, v.updated_claim, v.event_id FROM v WHERE v.is_new
           ON CONFLICT (platform_id, ad_id) DO NOTHING
           RETURNING 1
         ), updated AS (
           UPDATE ingest.ads AS a SET
             version = v.version, content_hash = v.content_hash, field_hashes = v.field_hashes, status = v.status,
             last_received_at = $2, removed_at = v.removed_at, updated_claim = v.updated_claim, last_event_id = v.event_id
             FROM v WHERE a.platform_id = $1 AND a.ad_id = v.ad_id AND NOT v.is_new
           RETURNING 1
         )
         SELECT (SELECT count(*) FROM inserted)::int AS inserted, (SELECT count(*) FROM updated)::int AS updated`,
        [platformId, receivedAt, rowsJson],
      );
      if (written.inserted < newAds) return undefined;
      const pending = await this.outbox.enqueue(manager, events, { publishItselfWithinMs: options.publishItselfWithinMs });
      return { results, pending };
    }
    return { results, pending: [] };
  }

  private adEvent(
    platformId: string,
    item: Extract<IntakeItem, { kind: 'ad' }>,
    previous: AdStateRow | undefined,
    options: ResolvedIntakeOptions,
  ) {
    const { normalised } = item;
    const ad = normalised.ad;
    if (ad.status === 'removed') {
      // A stream entry whose status says the ad is gone is removal evidence, dated by the
      // platform's own updatedAt claim.
      return this.removalEvent(
        platformId,
        { ...item, kind: 'removal', adId: ad.platformAdId, removedAt: ad.updatedAt, removedBy: 'unknown', commandId: null, reason: null },
        previous,
        options,
      );
    }
    if (previous && previous.status === 'live' && previous.content_hash === normalised.contentHash) return undefined;
    // Other content than the recorded version's, but older by the platform's own clock: a
    // retried request or a lagging snapshot arriving late, not a change (nor a re-listing).
    if (previous?.updated_claim && Date.parse(ad.updatedAt) < new Date(previous.updated_claim).getTime()) {
      const what = previous.status === 'removed' ? `its removal (${new Date(previous.updated_claim).toISOString()})` : `version ${previous.version} (updatedAt ${new Date(previous.updated_claim).toISOString()})`;
      throw new StaleResendError(`older than ${what} already recorded: a late resend is not a new version`);
    }
    const version = (previous?.version ?? 0) + 1;
    const receivedAt = options.receivedAtIso;
    const id = uuidv7();
    const subject = subjectFor(platformId, ad.platformAdId);
    const causationId = item.causationId ?? null;
    const data = {
      ...ad,
      originalText: normalised.originalText,
      contentHash: normalised.contentHash,
      adVersion: version,
      receivedAt,
      channel: options.channel,
    };
    const row = {
      ad_id: ad.platformAdId,
      version,
      content_hash: normalised.contentHash,
      field_hashes: normalised.fieldHashes,
      status: 'live' as const,
      removedAt: null,
      updated_claim: ad.updatedAt,
    };
    // Built here rather than through createEvent, which would validate the whole ad a second
    // time: the ad was validated after normalisation (prepareSubmittedAd) and every other field
    // is made valid by construction here (the unit spec checks both against the contract).
    const envelope = { occurredAt: receivedAt, tenant: platformId, subject, correlationId: null, causationId, source: 'ingest' };
    if (!previous || previous.version === 0) {
      const event: EventOf<'ad.ingested'> = { id, type: 'ad.ingested', version: adIngestedVersion, ...envelope, data };
      return { event, row };
    }
    const changedList: EventOf<'ad.updated'>['data']['changedFields'] = changedFields(previous.field_hashes, normalised.fieldHashes);
    if (previous.status === 'removed') changedList.push('status');
    const event: EventOf<'ad.updated'> = {
      id,
      type: 'ad.updated',
      version: adUpdatedVersion,
      ...envelope,
      data: { ...data, previousContentHash: previous.content_hash, changedFields: changedList },
    };
    return { event, row };
  }

  private removalEvent(
    platformId: string,
    item: Extract<IntakeItem, { kind: 'removal' }>,
    previous: AdStateRow | undefined,
    options: ResolvedIntakeOptions,
  ) {
    if (previous?.status === 'removed') return undefined;
    const event = createEvent('ad.removed', {
      tenant: platformId,
      subject: subjectFor(platformId, item.adId),
      source: 'ingest',
      causationId: item.causationId ?? null,
      occurredAt: options.receivedAt,
      data: {
        platformAdId: item.adId,
        removedAt: item.removedAt,
        removedBy: item.removedBy,
        commandId: item.commandId,
        reason: item.reason,
        receivedAt: options.receivedAt.toISOString(),
        channel: options.channel,
      },
    });
    const row = {
      ad_id: item.adId,
      version: previous?.version ?? 0,
      content_hash: previous?.content_hash ?? '',
      field_hashes: previous?.field_hashes ?? {},
      status: 'removed' as const,
      removedAt: item.removedAt,
      updated_claim: item.removedAt,
    };
    return { event, row };
  }
}

function currentVersionOf(type: EventType): number {
  return Math.max(...EVENT_DEFINITIONS.filter((definition) => definition.type === type).map((definition) => definition.version));
}

const adIngestedVersion = currentVersionOf('ad.ingested');
const adUpdatedVersion = currentVersionOf('ad.updated');

function adIdOf(item: IntakeItem): string {
  return item.kind === 'ad' ? item.normalised.ad.platformAdId : item.adId;
}

import { updateReturning } from '@vigie/service-kit';
import type { EntityManager } from 'typeorm';

/** An ad whose row was not there to re-assess (its transaction not yet committed) is tried again after this long… */
export const RESCORE_RETRY_DELAY_MS = 2_000;
/** …until this long after it was first queued: a row that never appears belonged to an ad whose transaction rolled back. */
export const RESCORE_MAX_WAIT_MS = 60 * 60_000;

export interface QueuedRescore {
  readonly adKey: string;
  /** When the ad was first queued; null for a new entry (now). */
  readonly queuedAt: Date | null;
}

/** `platform:adId` → its parts. Ad ids never contain ':' (ingest refuses them): the key splits at its last one. */
export function splitAdKey(adKey: string): { platformId: string; adId: string } {
  const at = adKey.lastIndexOf(':');
  return { platformId: adKey.slice(0, at), adId: adKey.slice(at + 1) };
}

/**
 * Queues ads for re-assessment, due after `delayMs`. An ad already queued keeps its entry (and
 * so its first queuing time). Inserted in key order, so two transactions queueing the same ads
 * wait for each other instead of deadlocking.
 */
export async function queueRescores(manager: EntityManager, entries: readonly QueuedRescore[], delayMs = 0): Promise<void> {
  if (entries.length === 0) return;
  const sorted = [...entries].sort((a, b) => (a.adKey < b.adKey ? -1 : a.adKey > b.adKey ? 1 : 0));
  const keys = sorted.map((entry) => splitAdKey(entry.adKey));
  await manager.query(
    `INSERT INTO scoring.rescore_queue (platform_id, ad_id, queued_at, not_before)
     SELECT k.platform_id, k.ad_id, coalesce(k.queued_at, now()), now() + make_interval(secs => $4::double precision)
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS k(platform_id, ad_id, queued_at, ord)
      ORDER BY k.ord
     ON CONFLICT (platform_id, ad_id) DO NOTHING`,
    [keys.map((key) => key.platformId), keys.map((key) => key.adId), sorted.map((entry) => entry.queuedAt), delayMs / 1000],
  );
}

/**
 * Takes up to `limit` due entries off the queue, oldest first, inside the caller's transaction:
 * if it rolls back they are queued again. Entries another transaction is taking are skipped.
 */
export async function claimRescores(manager: EntityManager, limit: number): Promise<{ adKey: string; queuedAt: Date }[]> {
  if (limit <= 0) return [];
  const rows = await updateReturning<{ platform_id: string; ad_id: string; queued_at: Date }>(
    manager,
    `DELETE FROM scoring.rescore_queue q
      USING (SELECT platform_id, ad_id FROM scoring.rescore_queue WHERE not_before <= now()
              ORDER BY not_before, queued_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
      WHERE q.platform_id = due.platform_id AND q.ad_id = due.ad_id
      RETURNING q.platform_id, q.ad_id, q.queued_at`,
    [limit],
  );
  return rows.map((row) => ({ adKey: `${row.platform_id}:${row.ad_id}`, queuedAt: row.queued_at }));
}

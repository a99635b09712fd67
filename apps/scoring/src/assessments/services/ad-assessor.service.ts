import { Injectable } from '@nestjs/common';
import { createEvent, type AnyEvent, type EventOf } from '@vigie/contracts';
import { assessAd, type AdText, type NetworkEvidence, type RiskAssessment } from '@vigie/risk';
import type { EntityManager } from 'typeorm';
import { toScoredData } from './assessment-mapping';
import { NetworkState, type NetworkObservation } from './network-state.service';
import { claimRescores, queueRescores, RESCORE_MAX_WAIT_MS, RESCORE_RETRY_DELAY_MS, splitAdKey, type QueuedRescore } from './rescore-queue';
import { RescoreMetrics } from './rescore-metrics';

type IngestedAd = EventOf<'ad.ingested'> | EventOf<'ad.updated'>;

interface AssessmentRow {
  platform_id: string;
  ad_id: string;
  ad_version: number;
  content_hash: string;
  title: string;
  body: string;
  country: string | null;
  city: string | null;
  language: string | null;
  contacts: string[];
  names: string[];
  images: { pdq: string; quality: number }[];
  score: number;
  band: string;
  ruleset_version: string;
  received_at: Date;
  removed: boolean;
}

/** Re-assessments made, and the ads that had no row to re-assess yet. */
interface Reassessment {
  readonly events: AnyEvent[];
  readonly missing: string[];
}

/** Re-assessments one batch makes at most; the rest wait in `scoring.rescore_queue`. */
export const MAX_RESCORES_PER_BATCH = 2000;

/**
 * Assesses ingested ads inside the consumer's transaction: text indicators first, then the
 * network evidence the ad adds to or finds in the service's state, then — for ads whose
 * evidence this ad changed — re-assessments (`ad.rescored`) when their score or band moves.
 */
@Injectable()
export class AdAssessor {
  constructor(
    private readonly network: NetworkState,
    private readonly metrics: RescoreMetrics,
  ) {}

  async assess(manager: EntityManager, ads: readonly IngestedAd[]): Promise<AnyEvent[]> {
    const events: AnyEvent[] = [];
    const linked = new Set<string>();
    const rows: SavedAssessment[] = [];
    for (const event of ads) {
      const { data } = event;
      const adText: AdText = {
        title: data.originalText.title,
        body: data.originalText.body,
        country: data.location.country,
        city: data.location.city,
        language: data.language,
      };
      const textOnly = assessAd(adText, { referenceDate: data.receivedAt });
      const observation: NetworkObservation = {
        adKey: event.subject,
        text: `${data.title}\n${data.body}`,
        contacts: [
          ...new Set([
            ...data.contacts.phones,
            ...data.contacts.emails,
            ...data.contacts.handles,
            ...textOnly.contacts.map((contact) => contact.value),
          ]),
        ],
        names: [...textOnly.names],
        city: data.location.city,
        at: Date.parse(data.receivedAt),
        images: data.images.map((image) => ({ pdq: image.pdq, quality: image.quality })),
      };
      const outcome = this.network.observe(observation);
      const assessment = outcome.evidence.length > 0 ? assessAd(adText, { referenceDate: data.receivedAt, network: outcome.evidence }) : textOnly;
      const scored = createEvent('ad.scored', {
        tenant: event.tenant,
        subject: event.subject,
        source: 'scoring',
        causationId: event.id,
        data: toScoredData(assessment, outcome.evidence, data.adVersion, data.contentHash),
      });
      events.push(scored);
      rows.push(toSavedAssessment(event, observation, assessment, scored));
      for (const adKey of outcome.linkedAdKeys) linked.add(adKey);
    }
    // Before the re-assessments, which read the rows this transaction saved too: an ad assessed
    // earlier in the batch than the ad that completed its signal was scored without it.
    await this.save(manager, rows);
    // Linked ads beyond the batch's share wait in the queue (the drainer takes them), as do
    // those whose row is not visible yet: saved by another partition's transaction still in
    // flight, they would be missed for good. The queue costs the batch nothing when it has
    // neither, as most batches do.
    const wanted = [...linked];
    const now = wanted.slice(0, MAX_RESCORES_PER_BATCH);
    const { events: rescored, missing } = await this.reassess(manager, now);
    events.push(...rescored);
    await queueRescores(manager, wanted.slice(MAX_RESCORES_PER_BATCH).map((adKey) => ({ adKey, queuedAt: null })));
    await queueRescores(manager, missing.map((adKey) => ({ adKey, queuedAt: null })), RESCORE_RETRY_DELAY_MS);
    this.metrics.queued(wanted.length - now.length + missing.length);
    return events;
  }

  /**
   * Re-assesses up to `limit` ads of the queue in the caller's transaction. One whose row is
   * still missing goes back, due later, until {@link RESCORE_MAX_WAIT_MS} after it was queued.
   */
  async drainQueue(manager: EntityManager, limit: number): Promise<{ claimed: number; events: AnyEvent[] }> {
    const claimed = await claimRescores(manager, limit);
    if (claimed.length === 0) return { claimed: 0, events: [] };
    const { events, missing } = await this.reassess(manager, claimed.map((entry) => entry.adKey));
    const stillMissing = new Set(missing);
    const retry: QueuedRescore[] = [];
    let dropped = 0;
    for (const entry of claimed) {
      if (!stillMissing.has(entry.adKey)) continue;
      if (Date.now() - entry.queuedAt.getTime() < RESCORE_MAX_WAIT_MS) retry.push(entry);
      else dropped++;
    }
    await queueRescores(manager, retry, RESCORE_RETRY_DELAY_MS);
    this.metrics.drained(claimed.length - retry.length - dropped, dropped);
    return { claimed: claimed.length, events };
  }

  private async reassess(manager: EntityManager, adKeys: string[]): Promise<Reassessment> {
    if (adKeys.length === 0) return { events: [], missing: [] };
    // Matched column by column, so the primary key serves the lookup (a concatenated key would
    // scan). Removed ads are read too, to tell them from ads whose row is not there yet.
    const keys = adKeys.map(splitAdKey);
    const rows: AssessmentRow[] = await manager.query(
      `SELECT a.* FROM scoring.assessments a
         JOIN unnest($1::text[], $2::text[]) AS k(platform_id, ad_id) ON a.platform_id = k.platform_id AND a.ad_id = k.ad_id
        ORDER BY a.platform_id, a.ad_id FOR UPDATE OF a`,
      [keys.map((key) => key.platformId), keys.map((key) => key.adId)],
    );
    const found = new Set<string>();
    const events: AnyEvent[] = [];
    const updates: RescoredRow[] = [];
    for (const row of rows) {
      const adKey = `${row.platform_id}:${row.ad_id}`;
      found.add(adKey);
      if (row.removed) continue;
      const receivedAt = row.received_at.toISOString();
      const adText: AdText = { title: row.title, body: row.body, country: row.country ?? undefined, city: row.city ?? undefined, language: row.language ?? undefined };
      const evidence: NetworkEvidence[] = this.network.currentEvidence({
        adKey,
        text: `${row.title}\n${row.body}`,
        contacts: row.contacts,
        names: row.names,
        city: row.city ?? undefined,
        at: row.received_at.getTime(),
        images: row.images,
      });
      const assessment = assessAd(adText, { referenceDate: receivedAt, network: evidence });
      if (assessment.band === row.band && Math.abs(assessment.score - row.score) < 0.005) continue;
      const rescored = createEvent('ad.rescored', {
        tenant: row.platform_id,
        subject: adKey,
        source: 'scoring',
        data: {
          ...toScoredData(assessment, evidence, row.ad_version, row.content_hash),
          reason: 'network-evidence-changed',
          previousScore: row.score,
          previousBand: row.band as 'low' | 'medium' | 'high' | 'critical',
          previousRulesetVersion: row.ruleset_version,
        },
      });
      events.push(rescored);
      updates.push({
        platform_id: row.platform_id,
        ad_id: row.ad_id,
        score: assessment.score,
        band: assessment.band,
        ruleset_version: assessment.rulesetVersion,
        assessment: rescored.data,
        explanation: assessment.explanation,
        last_event_id: rescored.id,
      });
    }
    if (updates.length > 0) {
      await manager.query(
        `UPDATE scoring.assessments AS a
            SET score = u.score, band = u.band, ruleset_version = u.ruleset_version, assessment = u.assessment,
                explanation = u.explanation, assessed_at = clock_timestamp(), last_event_id = u.last_event_id
           FROM json_to_recordset($1::json) AS u(platform_id text, ad_id text, score double precision, band text,
                ruleset_version text, assessment jsonb, explanation text, last_event_id uuid)
          WHERE a.platform_id = u.platform_id AND a.ad_id = u.ad_id`,
        [JSON.stringify(updates)],
      );
    }
    return { events, missing: adKeys.filter((adKey) => !found.has(adKey)) };
  }

  /**
   * One upsert for the whole batch (a statement per ad costs a round trip each, which is what
   * bounded the pipeline's throughput). An ad seen twice in a batch keeps its last version, as
   * the upserts one after another would.
   */
  private async save(manager: EntityManager, rows: readonly SavedAssessment[]): Promise<void> {
    const latest = new Map<string, SavedAssessment>();
    for (const row of rows) {
      const key = `${row.platform_id}:${row.ad_id}`;
      latest.delete(key);
      latest.set(key, row);
    }
    if (latest.size === 0) return;
    await manager.query(
      `INSERT INTO scoring.assessments (platform_id, ad_id, ad_version, content_hash, title, body, country, city, language,
                                        contacts, names, images, score, band, ruleset_version, assessment, explanation,
                                        received_at, assessed_at, last_event_id)
       SELECT r.platform_id, r.ad_id, r.ad_version, r.content_hash, r.title, r.body, r.country, r.city, r.language,
              r.contacts, r.names, r.images, r.score, r.band, r.ruleset_version, r.assessment, r.explanation,
              r.received_at, clock_timestamp(), r.last_event_id
         FROM ROWS FROM (json_to_recordset($1::json) AS (
                platform_id text, ad_id text, ad_version integer, content_hash text, title text, body text, country text,
                city text, language text, contacts text[], names text[], images jsonb, score double precision, band text,
                ruleset_version text, assessment jsonb, explanation text, received_at timestamptz, last_event_id uuid))
              WITH ORDINALITY AS r(platform_id, ad_id, ad_version, content_hash, title, body, country, city, language, contacts,
                                   names, images, score, band, ruleset_version, assessment, explanation, received_at,
                                   last_event_id, position)
        ORDER BY r.position
       ON CONFLICT (platform_id, ad_id) DO UPDATE SET
         ad_version = excluded.ad_version, content_hash = excluded.content_hash, title = excluded.title, body = excluded.body,
         country = excluded.country, city = excluded.city, language = excluded.language, contacts = excluded.contacts,
         names = excluded.names,
         images = excluded.images, score = excluded.score, band = excluded.band, ruleset_version = excluded.ruleset_version,
         assessment = excluded.assessment, explanation = excluded.explanation, received_at = excluded.received_at,
         assessed_at = excluded.assessed_at, last_event_id = excluded.last_event_id, removed = false
       -- An older version arriving late (ingest republishing what a failed publish left in its
       -- outbox after a newer one went out) is scored, but never replaces the newer row.
       WHERE scoring.assessments.ad_version <= excluded.ad_version`,
      // In key order, as re-assessments and the queue's drain lock rows: two transactions
      // taking the same rows in different orders could deadlock.
      [JSON.stringify([...latest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row))],
    );
  }
}

/** A re-assessment's new figures, as the batch update reads them from JSON. */
interface RescoredRow {
  platform_id: string;
  ad_id: string;
  score: number;
  band: string;
  ruleset_version: string;
  assessment: EventOf<'ad.rescored'>['data'];
  explanation: string;
  last_event_id: string;
}

/** One row of scoring.assessments as the batch upsert reads it from JSON. */
interface SavedAssessment {
  platform_id: string;
  ad_id: string;
  ad_version: number;
  content_hash: string;
  title: string;
  body: string;
  country: string;
  city: string | null;
  language: string | null;
  contacts: string[];
  names: string[];
  images: { pdq: string; quality: number }[];
  score: number;
  band: string;
  ruleset_version: string;
  assessment: EventOf<'ad.scored'>['data'];
  explanation: string;
  received_at: string;
  last_event_id: string;
}

function toSavedAssessment(event: IngestedAd, observation: NetworkObservation, assessment: RiskAssessment, scored: EventOf<'ad.scored'>): SavedAssessment {
  const { data } = event;
  return {
    platform_id: event.tenant,
    ad_id: data.platformAdId,
    ad_version: data.adVersion,
    content_hash: data.contentHash,
    title: data.originalText.title,
    body: data.originalText.body,
    country: data.location.country,
    city: data.location.city ?? null,
    language: data.language ?? null,
    contacts: observation.contacts,
    names: observation.names,
    images: observation.images,
    score: assessment.score,
    band: assessment.band,
    ruleset_version: assessment.rulesetVersion,
    assessment: scored.data,
    explanation: assessment.explanation,
    received_at: data.receivedAt,
    last_event_id: scored.id,
  };
}

import { Injectable } from '@nestjs/common';
import { createEvent, type AnyEvent, type EventOf } from '@vigie/contracts';
import { assessAd, type AdText, type NetworkEvidence, type RiskAssessment } from '@vigie/risk';
import type { EntityManager } from 'typeorm';
import { toScoredData } from './assessment-mapping';
import { NetworkState, type NetworkObservation } from './network-state.service';

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
}

const maxRescoresPerBatch = 2000;

/**
 * Assesses ingested ads inside the consumer's transaction: text indicators first, then the
 * network evidence the ad adds to or finds in the service's state, then — for ads whose
 * evidence this ad changed — re-assessments (`ad.rescored`) when their score or band moves.
 */
@Injectable()
export class AdAssessor {
  constructor(private readonly network: NetworkState) {}

  async assess(manager: EntityManager, ads: readonly IngestedAd[]): Promise<AnyEvent[]> {
    const events: AnyEvent[] = [];
    const linked = new Set<string>();
    const assessedNow = new Set<string>();
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
      await this.save(manager, event, observation, assessment, scored);
      assessedNow.add(event.subject);
      for (const adKey of outcome.linkedAdKeys) linked.add(adKey);
    }
    for (const adKey of assessedNow) linked.delete(adKey);
    events.push(...(await this.reassess(manager, [...linked].slice(0, maxRescoresPerBatch))));
    return events;
  }

  private async reassess(manager: EntityManager, adKeys: string[]): Promise<AnyEvent[]> {
    if (adKeys.length === 0) return [];
    const rows: AssessmentRow[] = await manager.query(
      `SELECT * FROM scoring.assessments
        WHERE (platform_id || ':' || ad_id) = ANY($1::text[]) AND NOT removed
        ORDER BY platform_id, ad_id FOR UPDATE`,
      [adKeys],
    );
    const events: AnyEvent[] = [];
    for (const row of rows) {
      const adKey = `${row.platform_id}:${row.ad_id}`;
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
      await manager.query(
        `UPDATE scoring.assessments SET score = $3, band = $4, ruleset_version = $5, assessment = $6, explanation = $7,
                assessed_at = clock_timestamp(), last_event_id = $8
          WHERE platform_id = $1 AND ad_id = $2`,
        [row.platform_id, row.ad_id, assessment.score, assessment.band, assessment.rulesetVersion, JSON.stringify(rescored.data), assessment.explanation, rescored.id],
      );
    }
    return events;
  }

  private async save(
    manager: EntityManager,
    event: IngestedAd,
    observation: NetworkObservation,
    assessment: RiskAssessment,
    scored: EventOf<'ad.scored'>,
  ): Promise<void> {
    const { data } = event;
    await manager.query(
      `INSERT INTO scoring.assessments (platform_id, ad_id, ad_version, content_hash, title, body, country, city, language,
                                        contacts, names, images, score, band, ruleset_version, assessment, explanation,
                                        received_at, assessed_at, last_event_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, clock_timestamp(), $19)
       ON CONFLICT (platform_id, ad_id) DO UPDATE SET
         ad_version = excluded.ad_version, content_hash = excluded.content_hash, title = excluded.title, body = excluded.body,
         country = excluded.country, city = excluded.city, language = excluded.language, contacts = excluded.contacts,
         names = excluded.names,
         images = excluded.images, score = excluded.score, band = excluded.band, ruleset_version = excluded.ruleset_version,
         assessment = excluded.assessment, explanation = excluded.explanation, received_at = excluded.received_at,
         assessed_at = excluded.assessed_at, last_event_id = excluded.last_event_id, removed = false`,
      [
        event.tenant,
        data.platformAdId,
        data.adVersion,
        data.contentHash,
        data.originalText.title,
        data.originalText.body,
        data.location.country,
        data.location.city ?? null,
        data.language ?? null,
        observation.contacts,
        observation.names,
        JSON.stringify(observation.images),
        assessment.score,
        assessment.band,
        assessment.rulesetVersion,
        JSON.stringify(scored.data),
        assessment.explanation,
        data.receivedAt,
        scored.id,
      ],
    );
  }
}

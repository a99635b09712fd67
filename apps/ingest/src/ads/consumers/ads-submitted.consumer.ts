import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { subjectFor, Topics, type EventOf } from '@vigie/contracts';
import type { ConsumedEvent, EventBatch } from '@vigie/messaging';
import { SERVICE_SETTINGS } from '@vigie/service-kit';
import type { IngestSettings } from '../../ingest.settings';
import { AdIntakeService, type IntakeItem } from '../services/ad-intake.service';
import { IngestMetrics } from '../services/ingest-metrics';
import { prepareSubmission } from '../services/submission-preparation';

/**
 * Kafka-native platforms produce `ad.submitted` straight to `ads.submitted.v1`. Each batch is
 * validated, normalised and recorded in the consumer's transaction; an ad that cannot be
 * accepted (unknown platform, subject not matching the ad, record not keyed by its subject, bad
 * claims) goes to the DLQ with the reason while the rest of the batch proceeds.
 */
@Controller()
export class AdsSubmittedConsumer {
  constructor(
    private readonly intake: AdIntakeService,
    private readonly metrics: IngestMetrics,
    @Inject(SERVICE_SETTINGS) private readonly settings: IngestSettings,
  ) {}

  @EventPattern(Topics.AdsSubmitted)
  async onAdsSubmitted(@Payload() batch: EventBatch): Promise<void> {
    const receivedAt = new Date();
    const tenants = [...new Set(batch.events.map(({ event }) => event.tenant))];
    const known: { id: string }[] = await batch.manager.query(`SELECT id FROM ingest.platforms WHERE id = ANY($1::text[])`, [tenants]);
    const knownIds = new Set(known.map((row) => row.id));
    const byPlatform = new Map<string, IntakeItem[]>();
    const reject = (consumed: ConsumedEvent, field: string, reason: string) => {
      this.metrics.rejected(field, 'kafka');
      batch.deadLetter(consumed, `${field ? `${field}: ` : ''}${reason}`);
    };

    batch.events.forEach((consumed, index) => {
      const event = consumed.event as EventOf<'ad.submitted'>;
      if (event.type !== 'ad.submitted') return reject(consumed, '/type', `expected ad.submitted on ${Topics.AdsSubmitted}, got ${event.type}`);
      if (!knownIds.has(event.tenant)) return reject(consumed, '/tenant', `unknown platform "${event.tenant}"`);
      if (event.subject !== subjectFor(event.tenant, event.data.platformAdId)) {
        return reject(consumed, '/subject', `must be "${event.tenant}:${event.data.platformAdId}" (tenant:platformAdId)`);
      }
      // The key picks the partition: keyed otherwise, two versions of one ad can land on two
      // partitions, consumed concurrently, and be recorded in the wrong order.
      if (consumed.coordinates.key !== undefined && consumed.coordinates.key !== event.subject) {
        return reject(consumed, '/key', `the record key must be the subject "${event.subject}", got ${consumed.coordinates.key === null ? 'none' : `"${consumed.coordinates.key.slice(0, 200)}"`}`);
      }
      const prepared = prepareSubmission(event.data, index, receivedAt, this.settings.maxFutureSkewMs, event.id);
      if (!prepared.ok) {
        const problem = prepared.problems[0];
        return reject(consumed, `/data${problem.field}`, prepared.problems.map((p) => `${p.field} ${p.reason}`).join('; '));
      }
      const items = byPlatform.get(event.tenant) ?? [];
      items.push(prepared.item);
      byPlatform.set(event.tenant, items);
    });

    for (const [platformId, items] of byPlatform) {
      const { results } = await this.intake.intake(batch.manager, platformId, items, { channel: 'kafka', receivedAt });
      let accepted = 0;
      let duplicates = 0;
      for (const result of results) {
        if (result.status === 'accepted') accepted++;
        else if (result.status === 'duplicate') duplicates++;
        else reject(batch.events[result.index], result.errors?.[0]?.field ?? '', result.errors?.map((e) => `${e.field} ${e.reason}`).join('; ') ?? 'rejected');
      }
      this.metrics.count('accepted', 'kafka', accepted);
      this.metrics.count('duplicate', 'kafka', duplicates);
    }
  }
}

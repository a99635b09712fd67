import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_SETTINGS } from '@vigie/service-kit';
import { DataSource } from 'typeorm';
import type { IngestSettings } from '../../ingest.settings';
import { AdIntakeService, type IntakeItem, type ItemResult } from './ad-intake.service';
import { IngestMetrics, type IntakeChannel } from './ingest-metrics';
import { PublishGate } from './publish-gate.service';
import { prepareSubmission } from './submission-preparation';

/** If this process dies before publishing what it recorded, the relay publishes it after this delay. */
const relayTakeoverMs = 30000;

/** A batch validated and normalised, ready to record: the items to record and those refused. */
export interface PreparedBatch {
  items: IntakeItem[];
  rejected: ItemResult[];
}

export interface BatchReport {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: ItemResult[];
}

/**
 * The HTTP intake path shared by the batch, NDJSON and removal endpoints: validate, record
 * in one transaction (ad state + outbox), publish with acks=all, then answer.
 */
@Injectable()
export class AdSubmissionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly intake: AdIntakeService,
    private readonly gate: PublishGate,
    private readonly metrics: IngestMetrics,
    @Inject(SERVICE_SETTINGS) private readonly settings: IngestSettings,
  ) {}

  /**
   * Validates each raw ad; rejects an id already seen earlier in the same batch (its
   * versions would race); records and publishes the rest. `lineNumbers`, when given, number
   * the items in results instead of their position (NDJSON).
   */
  async submit(platformId: string, rawAds: readonly unknown[], channel: IntakeChannel, receivedAt: Date, lineNumbers?: number[]): Promise<BatchReport> {
    return this.recordPrepared(platformId, this.prepare(rawAds, receivedAt, lineNumbers), channel, receivedAt);
  }

  /**
   * The CPU half of `submit` (validation, normalisation), separate so that a stream can
   * prepare its next chunk while the previous one is in the database and the broker.
   */
  prepare(rawAds: readonly unknown[], receivedAt: Date, lineNumbers?: number[]): PreparedBatch {
    const rejected: ItemResult[] = [];
    const items: IntakeItem[] = [];
    const firstIndexOfId = new Map<string, number>();
    rawAds.forEach((raw, position) => {
      const index = lineNumbers?.[position] ?? position;
      const prepared = prepareSubmission(raw, index, receivedAt, this.settings.maxFutureSkewMs);
      if (!prepared.ok) {
        rejected.push({ index, platformAdId: prepared.platformAdId ?? '', status: 'rejected', errors: prepared.problems });
        return;
      }
      const adId = prepared.item.normalised.ad.platformAdId;
      const first = firstIndexOfId.get(adId);
      if (first !== undefined) {
        rejected.push({
          index,
          platformAdId: adId,
          status: 'rejected',
          errors: [{ field: '/platformAdId', reason: `duplicate platformAdId in this batch (first at index ${first})` }],
        });
        return;
      }
      firstIndexOfId.set(adId, index);
      items.push(prepared.item);
    });
    return { items, rejected };
  }

  /** The I/O half of `submit`: records the prepared items, publishes their events, reports. */
  async recordPrepared(platformId: string, prepared: PreparedBatch, channel: IntakeChannel, receivedAt: Date): Promise<BatchReport> {
    const recorded = prepared.items.length > 0 ? await this.record(platformId, prepared.items, channel, receivedAt) : [];
    const results = prepared.rejected.length > 0 ? [...recorded, ...prepared.rejected].sort((a, b) => a.index - b.index) : recorded;
    return this.report(results, channel);
  }

  /** Records already-prepared items (removals) through the same path. */
  async submitItems(platformId: string, items: IntakeItem[], channel: IntakeChannel, receivedAt: Date): Promise<BatchReport> {
    return this.report(await this.record(platformId, items, channel, receivedAt), channel);
  }

  private async record(platformId: string, items: IntakeItem[], channel: IntakeChannel, receivedAt: Date): Promise<ItemResult[]> {
    const { results, pending } = await this.dataSource.transaction(async (manager) => {
      // The client is acknowledged only after the broker has the events, so a database
      // crash that loses this commit's last milliseconds cannot lose an acknowledged ad
      // (at worst a later resubmission is not recognised as a duplicate). Not waiting for
      // the WAL flush roughly halves the cost of the transaction.
      await manager.query('SET LOCAL synchronous_commit = off');
      return this.intake.intake(manager, platformId, items, { channel, receivedAt, publishItselfWithinMs: relayTakeoverMs });
    });
    await this.gate.publish(pending);
    return results;
  }

  private report(results: ItemResult[], channel: IntakeChannel): BatchReport {
    const report: BatchReport = { accepted: 0, duplicates: 0, rejected: 0, results };
    for (const result of results) {
      if (result.status === 'accepted') report.accepted++;
      else if (result.status === 'duplicate') report.duplicates++;
      else {
        report.rejected++;
        this.metrics.rejected(result.errors?.[0]?.field ?? '', channel);
      }
    }
    this.metrics.count('accepted', channel, report.accepted);
    this.metrics.count('duplicate', channel, report.duplicates);
    return report;
  }
}

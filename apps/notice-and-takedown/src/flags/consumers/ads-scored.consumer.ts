import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { automaticRemovalFor, flagCategory, type FlagAssessment } from '@vigie/case-rules';
import { Topics, type AnyEvent, type EventOf } from '@vigie/contracts';
import type { EventBatch } from '@vigie/messaging';
import { SERVICE_SETTINGS } from '@vigie/service-kit';
import { CaseLedger } from '../../cases/services/case-ledger.service';
import type { NoticeAndTakedownSettings } from '../../notice-and-takedown.settings';
import { DecisionService } from '../../review/services/decision.service';

type Assessment = EventOf<'ad.scored'> | EventOf<'ad.rescored'>;

/**
 * Automated flags from scoring: an ad scored in a flagged band (`high`, `critical` by default)
 * opens or joins its case, with the first flag time as clock evidence. A known-image hash
 * match or a stated minor is removed at once when the policy allows it, recorded as an
 * automated decision and queued for a person to review.
 */
@Controller()
export class AdsScoredConsumer {
  constructor(
    private readonly ledger: CaseLedger,
    private readonly decisions: DecisionService,
    @Inject(SERVICE_SETTINGS) private readonly settings: NoticeAndTakedownSettings,
  ) {}

  @EventPattern(Topics.AdsScored)
  async onAdsScored(@Payload() batch: EventBatch): Promise<void> {
    for (const { event } of batch.events) {
      if (event.type !== 'ad.scored' && event.type !== 'ad.rescored') continue;
      const { data } = event as Assessment;
      if (data.band !== 'high' && data.band !== 'critical') continue;
      if (!this.settings.flagBands.includes(data.band)) continue;
      const adId = event.subject.slice(event.tenant.length + 1);
      const flag: FlagAssessment = {
        band: data.band,
        score: data.score,
        indicatorCodes: data.indicators.filter((indicator) => indicator.strength !== 'negative').map((indicator) => indicator.code),
        networkKinds: data.network.map((evidence) => evidence.kind),
        referralSuggested: data.referralSuggested,
      };
      const flaggedAt = new Date(event.occurredAt);
      const opened = await this.ledger.openOrJoin(batch.manager, {
        platformId: event.tenant,
        adId,
        url: null,
        origin: 'automated-flag',
        category: flagCategory(flag),
        notice: null,
        flag: {
          at: flaggedAt,
          band: data.band,
          score: data.score,
          indicators: [...new Set([...flag.indicatorCodes, ...flag.networkKinds])],
          referralSuggested: data.referralSuggested,
        },
        authorityDeadline: null,
        now: new Date(),
        causationId: event.id,
      });
      const events: AnyEvent[] = [...opened.events];
      const automatic = automaticRemovalFor(flag, this.settings.automaticRemoval);
      if (automatic && opened.row.status === 'open') {
        const decided = await this.decisions.decide(
          batch.manager,
          opened.row,
          {
            action: 'remove',
            explanation: automatic.explanation,
            decidedBy: { kind: 'system', id: `automatic-removal:${automatic.basis}` },
            automatedDecision: 'fully',
          },
          new Date(),
          event.id,
        );
        events.push(...decided.events);
      }
      await batch.outbox.enqueue(batch.manager, events);
    }
  }
}

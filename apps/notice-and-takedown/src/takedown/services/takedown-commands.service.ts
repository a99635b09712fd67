import { Inject, Injectable } from '@nestjs/common';
import { createEvent, subjectFor, uuidv7, type AnyEvent } from '@vigie/contracts';
import type { Outbox } from '@vigie/messaging';
import { OUTBOX, SERVICE_SETTINGS } from '@vigie/service-kit';
import type { EntityManager } from 'typeorm';
import type { NoticeAndTakedownSettings } from '../../notice-and-takedown.settings';
import { DeliveryTargets } from './delivery-targets.service';
import { TakedownMetrics } from './takedown-metrics';
import { TakedownSignals } from './takedown-signals.service';

export const SERVICE_SOURCE = 'notice-and-takedown';
const schema = 'notice_and_takedown';

export interface TakedownRequest {
  caseId: string;
  decisionId: string | null;
  appealId: string | null;
  platformId: string;
  adId: string;
  url: string | null;
  kind: 'takedown' | 'reinstatement';
  action: 'remove' | 'disable' | 'restrict' | 'reinstate';
  deadline: Date;
  legalReference: string | null;
  reason: string;
  causationId: string | null;
  occurredAt: Date;
}

export interface RemovalReport {
  platformId: string;
  adId: string;
  /** The platform's claim of when the ad went (or the command took effect). */
  removedAt: Date;
  commandId: string | null;
  source: 'callback' | 'kafka' | 'ad-stream';
  platformReference: string | null;
  causationId: string | null;
}

/** A row of `takedown_commands` as the takedown services read it. */
export interface CommandRow {
  id: string;
  case_id: string;
  decision_id: string | null;
  platform_id: string;
  ad_id: string;
  kind: 'takedown' | 'reinstatement';
  action: 'remove' | 'disable' | 'restrict' | 'reinstate';
  url: string | null;
  delivery: 'webhook' | 'kafka';
  status: 'pending' | 'delivered' | 'confirmed' | 'failed';
  payload: AnyEvent;
}

/**
 * Takedown and reinstatement commands to platforms, and what the platforms say back. Both
 * methods run inside the caller's transaction: the command row, its event (through the
 * outbox) and the case's clock facts are committed together or not at all.
 */
@Injectable()
export class TakedownCommands {
  constructor(
    private readonly targets: DeliveryTargets,
    private readonly signals: TakedownSignals,
    private readonly metrics: TakedownMetrics,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(SERVICE_SETTINGS) private readonly settings: NoticeAndTakedownSettings,
  ) {}

  /**
   * Records a command for delivery and enqueues its event. Throws a 503 TakedownException
   * when the registry cannot say how the platform is reached: the caller's transaction must
   * then roll back (nothing was decided half-way).
   */
  async request(manager: EntityManager, input: TakedownRequest): Promise<{ commandId: string; event: AnyEvent }> {
    if (input.kind === 'takedown' && (input.action === 'reinstate' || input.decisionId === null)) {
      throw new RangeError('a takedown command needs a decision and a remove, disable or restrict action');
    }
    if (input.kind === 'reinstatement' && input.action !== 'reinstate') {
      throw new RangeError('a reinstatement command has the action "reinstate"');
    }
    const target = await this.targets.get(input.platformId);
    const delivery = target.integrationMode === 'kafka' ? 'kafka' : 'webhook';
    const commandId = uuidv7();
    // The case may not know the ad's address (it was opened while the ad was on its way here):
    // when this service has the ad by now, the command and its event carry the address at once;
    // otherwise the verifier takes it once the ad is here.
    const url = input.url ?? (await this.knownUrl(manager, input.platformId, input.adId));
    const envelope = {
      tenant: input.platformId,
      subject: subjectFor(input.platformId, input.adId),
      correlationId: input.caseId,
      causationId: input.causationId,
      source: SERVICE_SOURCE,
      occurredAt: input.occurredAt,
    };
    const common = {
      commandId,
      caseId: input.caseId,
      platformAdId: input.adId,
      url,
      deadline: input.deadline.toISOString(),
      attempt: 1,
      delivery,
    } as const;
    const event: AnyEvent =
      input.kind === 'takedown'
        ? createEvent('takedown.requested', {
            ...envelope,
            data: {
              ...common,
              decisionId: input.decisionId as string,
              action: input.action as 'remove' | 'disable' | 'restrict',
              legalReference: input.legalReference,
              reason: input.reason,
            },
          })
        : createEvent('reinstatement.requested', {
            ...envelope,
            data: { ...common, appealId: input.appealId, reason: input.reason },
          });

    await manager.query(
      `INSERT INTO ${schema}.takedown_commands
         (id, case_id, decision_id, appeal_id, platform_id, ad_id, kind, action, url, deadline, delivery, payload,
          status, attempts, next_attempt_at, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', 0, clock_timestamp(), $13)`,
      [
        commandId,
        input.caseId,
        input.decisionId,
        input.appealId,
        input.platformId,
        input.adId,
        input.kind,
        input.action,
        url,
        input.deadline,
        delivery,
        JSON.stringify(event),
        input.occurredAt,
      ],
    );
    await this.outbox.enqueue(manager, [event]);
    if (input.kind === 'takedown') {
      await manager.query(
        `UPDATE ${schema}.cases SET takedown_requested_at = $2, updated_at = clock_timestamp()
          WHERE id = $1 AND takedown_requested_at IS NULL`,
        [input.caseId, input.occurredAt],
      );
    }
    if (delivery === 'webhook') await this.signals.workAdded(manager);
    this.metrics.commandRequested(input.kind, delivery);
    return { commandId, event };
  }

  private async knownUrl(manager: EntityManager, platformId: string, adId: string): Promise<string | null> {
    const rows: { url: string | null }[] = await manager.query(`SELECT url FROM ${schema}.ads WHERE platform_id = $1 AND ad_id = $2`, [platformId, adId]);
    return rows[0]?.url ?? null;
  }

  /**
   * Records that an ad is gone (or a command took effect): the platform's callback, its
   * `takedown.confirmed` on Kafka, or the removal seen in its ad stream. Idempotent: a
   * command already confirmed is left as it is and nothing is emitted again.
   */
  async recordRemoval(manager: EntityManager, input: RemovalReport): Promise<void> {
    const command = await this.findOpenCommand(manager, input);
    const events: AnyEvent[] = [];
    if (command === 'already-confirmed') return;
    if (command) {
      // Verified even when the command has no address yet: the verifier takes the ad's once it is known.
      const verifyNow = this.settings.verification.enabled;
      await manager.query(
        `UPDATE ${schema}.takedown_commands
            SET status = 'confirmed', confirmed_at = $2, last_error = NULL,
                verification_attempts = 0,
                next_verification_at = CASE WHEN $3::boolean THEN clock_timestamp() ELSE NULL END
          WHERE id = $1`,
        [command.id, input.removedAt, verifyNow],
      );
      if (input.source !== 'ad-stream') {
        events.push(
          createEvent('takedown.confirmed', {
            tenant: command.platform_id,
            subject: subjectFor(command.platform_id, command.ad_id),
            correlationId: command.case_id,
            causationId: input.causationId ?? command.payload.id,
            source: SERVICE_SOURCE,
            data: {
              commandId: command.id,
              caseId: command.case_id,
              platformAdId: command.ad_id,
              action: command.action,
              confirmedAt: input.removedAt.toISOString(),
              platformReference: input.platformReference,
            },
          }),
        );
      }
    }
    // A reinstatement taking effect is not a removal: the case's removal clock stays as it was.
    if (!command || command.kind === 'takedown') {
      await manager.query(
        `UPDATE ${schema}.cases SET removed_at = $3, updated_at = clock_timestamp()
          WHERE platform_id = $1 AND ad_id = $2 AND removed_at IS NULL`,
        [input.platformId, input.adId, input.removedAt],
      );
    }
    await this.outbox.enqueue(manager, events);
    if (command) {
      if (this.settings.verification.enabled) await this.signals.workAdded(manager);
      this.metrics.removalRecorded(input.source);
    }
  }

  /**
   * The command a removal report is about: the one named (if it is this ad's), else the
   * latest takedown of the ad not confirmed yet. Locked, so two reports of the same removal
   * (a callback racing the ad stream) confirm it once.
   */
  private async findOpenCommand(manager: EntityManager, input: RemovalReport): Promise<CommandRow | 'already-confirmed' | undefined> {
    const columns = 'id, case_id, decision_id, platform_id, ad_id, kind, action, url, delivery, status, payload';
    if (input.commandId) {
      const [named]: CommandRow[] = await manager.query(
        `SELECT ${columns} FROM ${schema}.takedown_commands
          WHERE id = $1 AND platform_id = $2 AND ad_id = $3 FOR UPDATE`,
        [input.commandId, input.platformId, input.adId],
      );
      if (named) return named.status === 'confirmed' ? 'already-confirmed' : named;
    }
    const [latest]: CommandRow[] = await manager.query(
      `SELECT ${columns} FROM ${schema}.takedown_commands
        WHERE platform_id = $1 AND ad_id = $2 AND kind = 'takedown' AND status <> 'confirmed'
        ORDER BY requested_at DESC, id DESC LIMIT 1 FOR UPDATE`,
      [input.platformId, input.adId],
    );
    return latest;
  }
}

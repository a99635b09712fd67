import { Injectable } from '@nestjs/common';
import type { EventOf } from '@vigie/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import type { TakedownResultBody, TakedownResultView } from '../dtos/takedown-result.dtos';
import { TakedownException, TakedownExceptionCode } from '../exceptions/takedown.exception';
import { TakedownCommands } from './takedown-commands.service';

const schema = 'notice_and_takedown';
/** A platform's clock may run a little ahead of ours; beyond this its timestamp is refused. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

interface CommandKey {
  id: string;
  platform_id: string;
  ad_id: string;
  action: string;
  status: string;
  confirmed_at: Date | null;
}

/**
 * Platforms' confirmations that a command took effect, over HTTP or on `takedown.results.v1`:
 * checked against the command (its platform, ad and action), then recorded as a removal.
 */
@Injectable()
export class TakedownConfirmations {
  constructor(
    private readonly dataSource: DataSource,
    private readonly commands: TakedownCommands,
  ) {}

  /** The HTTP callback: 404 for a command that is not this platform's, 409 for another action. */
  async confirmFromCallback(platformId: string, body: TakedownResultBody): Promise<TakedownResultView> {
    const confirmedAt = parseInstant(body.confirmedAt);
    if (confirmedAt === undefined) {
      throw new TakedownException(TakedownExceptionCode.INVALID_REQUEST, 'invalid request body: /confirmedAt is not a real instant', [
        { field: '/confirmedAt', reason: 'not a valid date and time' },
      ]);
    }
    if (confirmedAt.getTime() > Date.now() + MAX_FUTURE_SKEW_MS) {
      throw new TakedownException(TakedownExceptionCode.INVALID_REQUEST, 'invalid request body: /confirmedAt is in the future', [
        { field: '/confirmedAt', reason: `more than ${MAX_FUTURE_SKEW_MS / 60_000} minutes in the future` },
      ]);
    }
    return this.dataSource.transaction(async (manager) => {
      const command = await this.lockCommand(manager, body.commandId);
      // Another platform's command is answered exactly like an unknown one: ids are not disclosed.
      if (!command || command.platform_id !== platformId) {
        throw new TakedownException(TakedownExceptionCode.COMMAND_NOT_FOUND, `no takedown command ${body.commandId} for platform "${platformId}"`);
      }
      if (command.action !== body.action) {
        throw new TakedownException(
          TakedownExceptionCode.ACTION_MISMATCH,
          `command ${command.id} asked to ${command.action}, not to ${body.action}`,
        );
      }
      if (command.status === 'confirmed') {
        return view(command, command.confirmed_at ?? confirmedAt, true);
      }
      await this.commands.recordRemoval(manager, {
        platformId,
        adId: command.ad_id,
        removedAt: confirmedAt,
        commandId: command.id,
        source: 'callback',
        platformReference: body.platformReference ?? null,
        causationId: null,
      });
      return view(command, confirmedAt, false);
    });
  }

  /**
   * A `takedown.confirmed` a Kafka-native platform produced, in the consumer's transaction.
   * Returns why it cannot be applied (the event goes to the DLQ), or undefined once applied.
   */
  async confirmFromKafka(manager: EntityManager, event: EventOf<'takedown.confirmed'>): Promise<string | undefined> {
    const command = await this.lockCommand(manager, event.data.commandId);
    if (!command) return `unknown takedown command ${event.data.commandId}`;
    if (command.platform_id !== event.tenant) {
      return `tenant "${event.tenant}" cannot confirm command ${command.id}: it was sent to another platform`;
    }
    if (command.ad_id !== event.data.platformAdId) {
      return `command ${command.id} concerns ad "${command.ad_id}", not "${event.data.platformAdId}"`;
    }
    if (command.action !== event.data.action) return `command ${command.id} asked to ${command.action}, not to ${event.data.action}`;
    const confirmedAt = new Date(event.data.confirmedAt);
    if (confirmedAt.getTime() > Date.now() + MAX_FUTURE_SKEW_MS) {
      return `confirmedAt ${event.data.confirmedAt} is more than ${MAX_FUTURE_SKEW_MS / 60_000} minutes in the future`;
    }
    await this.commands.recordRemoval(manager, {
      platformId: command.platform_id,
      adId: command.ad_id,
      removedAt: confirmedAt,
      commandId: command.id,
      source: 'kafka',
      platformReference: event.data.platformReference,
      causationId: event.id,
    });
    return undefined;
  }

  private async lockCommand(manager: EntityManager, commandId: string): Promise<CommandKey | undefined> {
    const [row]: CommandKey[] = await manager.query(
      `SELECT id, platform_id, ad_id, action, status, confirmed_at FROM ${schema}.takedown_commands WHERE id = $1 FOR UPDATE`,
      [commandId],
    );
    return row;
  }
}

function parseInstant(value: string): Date | undefined {
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

function view(command: CommandKey, confirmedAt: Date, duplicate: boolean): TakedownResultView {
  return { commandId: command.id, status: 'confirmed', action: command.action, confirmedAt: confirmedAt.toISOString(), duplicate };
}

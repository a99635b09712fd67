import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_LOGGER } from '@vigie/service-kit';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Wakes the background workers when there is work for them: a command requested (delivery), a
 * removal recorded (verification), in this process or another one. Postgres delivers a NOTIFY
 * only when the sending transaction commits, so a worker never looks for a row before it is
 * visible; the workers' poll covers a missed notification.
 */
@Injectable()
export class TakedownSignals implements OnApplicationShutdown {
  static readonly channel = 'vigie_takedown_commands';
  private readonly listeners = new Set<() => void>();
  private connection: { client: PoolClient; detach: () => void } | undefined;
  private closed = false;
  private opening: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** Call inside the transaction that created the work: the signal goes out on commit. */
  async workAdded(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_notify($1, NULL)', [TakedownSignals.channel]);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** (Re)opens the listening connection if it is not open; workers call it every round. */
  async ensureListening(): Promise<void> {
    if (this.connection || this.closed || this.listeners.size === 0) return;
    // Both workers call this: one connection, opened once.
    this.opening ??= this.listen().finally(() => {
      this.opening = undefined;
    });
    await this.opening;
  }

  private async listen(): Promise<void> {
    // TypeORM's postgres driver keeps its pg pool as `master`; LISTEN needs one pinned connection.
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    const onNotification = () => {
      for (const listener of this.listeners) listener();
    };
    const onError = (error: Error) => {
      // The connection broke: drop it; the workers poll until the next round listens again.
      this.logger.warn({ err: error }, 'takedown signal connection lost; polling until it is back');
      detach();
      if (this.connection?.client === client) this.connection = undefined;
      client.release(true);
    };
    const detach = () => {
      client.off('notification', onNotification);
      client.off('error', onError);
    };
    client.on('notification', onNotification);
    client.on('error', onError);
    try {
      await client.query(`LISTEN "${TakedownSignals.channel}"`);
    } catch (error) {
      detach();
      client.release(true);
      throw error;
    }
    this.connection = { client, detach };
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    connection.detach();
    try {
      await connection.client.query(`UNLISTEN "${TakedownSignals.channel}"`);
      connection.client.release();
    } catch {
      connection.client.release(true);
    }
  }
}

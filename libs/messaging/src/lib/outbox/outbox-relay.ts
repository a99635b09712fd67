import type { Pool, PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { OutboxBacklog } from '../metrics/messaging-metrics';
import type { EventPublisher, OutgoingRecord } from '../ports';
import type { Outbox, PendingRecord } from './outbox';

export interface OutboxRelayOptions {
  batchSize?: number;
  /**
   * How long to wait for new rows when the outbox is empty. The relay is also woken at once
   * by the NOTIFY that a committed `Outbox.enqueue` sends, so this only bounds the delay
   * when a notification is missed (e.g. while the listening connection reconnects).
   */
  idlePollMs?: number;
  /** Back-off after a failed publish (broker down): rows stay and are retried. */
  failureBackoffMs?: number;
  onError?: (error: unknown) => void;
  onPublished?: (count: number) => void;
  /**
   * Runs after the broker acknowledged a batch and before the rows are deleted. Fault
   * tests use it to kill the process at the worst moment; production leaves it unset.
   */
  afterPublish?: (records: readonly OutgoingRecord[]) => Promise<void> | void;
}

interface OutboxRow {
  seq: string;
  topic: string;
  message_key: string;
  payload: Buffer;
  headers: Record<string, string>;
}

/**
 * Publishes outbox rows in `seq` order. Rows are locked with FOR UPDATE SKIP LOCKED so
 * several relays never publish the same row concurrently, and deleted only after the broker
 * acknowledged them (acks=all). A crash between the acknowledgement and the delete
 * re-publishes the batch on restart; consumers drop those duplicates in their inbox.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pendingWake = false;
  private listener: { client: PoolClient; detach: () => void } | undefined;
  private readonly batchSize: number;
  private readonly idlePollMs: number;
  private readonly failureBackoffMs: number;
  /**
   * Records handed to `publishSoon` and not yet published, each with the time after which the
   * relay reads its row itself; one publication at a time takes them in order.
   */
  private soon: { pending: PendingRecord; relayTakesOverAt: number }[] = [];
  private publishingSoon: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly publisher: EventPublisher,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.idlePollMs = options.idlePollMs ?? 1000;
    this.failureBackoffMs = options.failureBackoffMs ?? 1000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loop = this.run();
  }

  /**
   * Finishes the batch in flight and the publication of `publishSoon` records in flight, then
   * stops. Records handed to `publishSoon` and not yet sent are left to their rows: the next
   * relay to run publishes them (waiting for all of them could outlast any shutdown timeout
   * while the broker is away).
   */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    this.notify();
    await this.loop;
    await this.settled();
    await this.unlisten();
  }

  /** Publishes everything currently in the outbox; returns the number of rows published. */
  async drainOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      total += published;
      if (published < this.batchSize) return total;
    }
  }

  /**
   * Publishes records its caller just committed to the outbox (acks=all), then removes their
   * rows. For callers that must not answer before the broker has the events (an ingest
   * API). Should the relay also publish one of them (the caller was slower than its
   * `publishItselfWithinMs`), consumers drop the duplicate in their inbox.
   */
  async publishNow(pending: readonly PendingRecord[]): Promise<void> {
    if (pending.length === 0) return;
    await this.publisher.publish(pending.map((p) => p.record));
    await this.dataSource.transaction(async (manager) => {
      // Losing this delete in a crash only means the relay publishes the rows again.
      await manager.query('SET LOCAL synchronous_commit = off');
      await manager.query(`DELETE FROM ${this.outbox.tableName} WHERE event_id = ANY($1::uuid[])`, [pending.map((p) => p.eventId)]);
    });
    this.options.onPublished?.(pending.length);
  }

  /**
   * `publishNow` without waiting: for writers that answer once their transaction committed
   * and leave the broker to the relay, but whose rows the relay would otherwise read back
   * from the database. Records handed over while a publication is in flight go together in
   * the next one, in the order they came (the order of their commits), so one subject's
   * events keep their order. A failed publication is reported to `onError` and left to the
   * relay, which sees the rows once their `publishItselfWithinMs` has passed.
   *
   * `relayTakesOverInMs` is that `publishItselfWithinMs`: a record still waiting here after it
   * is dropped, since the relay has its row by then. So while the broker is away, what waits
   * here is bounded by the rate of writes over that time, not by the length of the outage.
   */
  publishSoon(pending: readonly PendingRecord[], relayTakesOverInMs = Number.POSITIVE_INFINITY): void {
    if (pending.length === 0 || this.stopping) return;
    const relayTakesOverAt = Date.now() + relayTakesOverInMs;
    for (const record of pending) this.soon.push({ pending: record, relayTakesOverAt });
    this.publishingSoon ??= this.publishWhatCameSoon();
  }

  /** Records handed to `publishSoon` that still wait for a publication. */
  get waitingSoon(): number {
    return this.soon.length;
  }

  /** Resolves once every record handed to `publishSoon` so far was published or given up. */
  async settled(): Promise<void> {
    await this.publishingSoon;
  }

  private async publishWhatCameSoon(): Promise<void> {
    while (this.soon.length > 0 && !this.stopping) {
      // Handed over in order with the same delay, so those the relay took over come first.
      const now = Date.now();
      let expired = 0;
      while (expired < this.soon.length && this.soon[expired].relayTakesOverAt <= now) expired++;
      if (expired > 0) this.soon.splice(0, expired);
      const batch = this.soon.splice(0, this.batchSize).map((entry) => entry.pending);
      if (batch.length === 0) break;
      try {
        await this.publishNow(batch);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
    if (this.stopping) this.soon = [];
    this.publishingSoon = undefined;
  }

  /** How many rows wait to be published and how old the oldest is, for the backlog gauges. */
  async backlog(): Promise<OutboxBacklog> {
    const [row]: { rows: number; oldest: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS rows, COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(enqueued_at)), 0)::float8 AS oldest
         FROM ${this.outbox.tableName}`,
    );
    return { rows: Number(row?.rows ?? 0), oldestSeconds: Number(row?.oldest ?? 0) };
  }

  private notify(): void {
    this.pendingWake = true;
    this.wake?.();
  }

  private async listen(): Promise<void> {
    if (this.listener) return;
    // TypeORM's postgres driver keeps its pg pool as `master`; LISTEN needs one pinned connection.
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    const onNotification = () => this.notify();
    const onError = () => {
      // The connection broke: drop it and fall back to polling until the next loop re-listens.
      detach();
      if (this.listener?.client === client) this.listener = undefined;
      client.release(true);
    };
    const detach = () => {
      client.off('notification', onNotification);
      client.off('error', onError);
    };
    client.on('notification', onNotification);
    client.on('error', onError);
    await client.query(`LISTEN "${this.outbox.notifyChannel}"`);
    this.listener = { client, detach };
  }

  private async unlisten(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    if (!listener) return;
    // Detached first: a pooled connection must not call back into a stopped relay.
    listener.detach();
    try {
      await listener.client.query(`UNLISTEN "${this.outbox.notifyChannel}"`);
      listener.client.release();
    } catch {
      listener.client.release(true);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.listen();
      } catch (error) {
        this.options.onError?.(error);
      }
      let published = 0;
      try {
        published = await this.publishBatch();
      } catch (error) {
        this.options.onError?.(error);
        await this.idle(this.failureBackoffMs);
        continue;
      }
      if (published < this.batchSize) await this.idle(this.idlePollMs);
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.pendingWake || !this.running) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.pendingWake = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT seq, topic, message_key, payload, headers
           FROM ${this.outbox.tableName}
          WHERE available_at <= clock_timestamp()
          ORDER BY seq
          LIMIT $1
          FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      return this.publishRows(manager, rows);
    });
  }

  private async publishRows(manager: EntityManager, rows: OutboxRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const records: OutgoingRecord[] = rows.map((row) => ({
      topic: row.topic,
      key: row.message_key,
      value: row.payload,
      headers: row.headers,
    }));
    await this.publisher.publish(records);
    await this.options.afterPublish?.(records);
    // As in publishNow: losing this delete in a crash only means publishing the rows again, so
    // its commit need not wait for a WAL flush of its own (the writers' commits share fewer).
    await manager.query('SET LOCAL synchronous_commit = off');
    await manager.query(`DELETE FROM ${this.outbox.tableName} WHERE seq = ANY($1::bigint[])`, [rows.map((row) => row.seq)]);
    this.options.onPublished?.(rows.length);
    return rows.length;
  }
}

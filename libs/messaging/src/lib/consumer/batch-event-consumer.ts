import { decodeEvent } from '@vigie/contracts';
import type { Batch, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { Inbox } from '../inbox/inbox';
import type { MessagingMetrics } from '../metrics/messaging-metrics';
import type { Outbox } from '../outbox/outbox';
import type { EventPublisher, MessageCoordinates, OutgoingRecord } from '../ports';
import { isTransientDatabaseError } from '../database/database-errors';
import { childSpanContext } from '../tracing/trace-context';
import { runInTraceScope, TraceScope, traceIdOf } from '../tracing/trace-scope';
import type { ConsumedEvent } from './consumed-event';
import { deadLetterRecord, describeError } from './dead-letter';
import { PoisonMessageError } from './poison-message.error';

/**
 * What a handler receives: only events this consumer group never applied (with `deduplication:
 * 'handler'`, every event of the batch once: the handler drops those it applied), and the open
 * transaction.
 */
export interface EventBatch {
  topic: string;
  partition: number;
  events: ConsumedEvent[];
  /** The transaction that also records the inbox rows; commit happens after the handler returns. */
  manager: EntityManager;
  /** Enqueue follow-up events in the same transaction. */
  outbox: Outbox;
  /**
   * Rejects one event of the batch without failing the others: it goes to the DLQ with this
   * reason once the transaction commits (and is forgotten if the transaction rolls back).
   */
  deadLetter(event: ConsumedEvent, reason: string): void;
  /**
   * With `deduplication: 'handler'`: how many events of the batch the handler found already
   * applied and skipped, counted as redeliveries like those the inbox drops.
   */
  reportDuplicates(count: number): void;
}

/**
 * Who drops an event a consumer group already applied (a redelivery after a crash, a rebalance
 * or a relay's re-publish):
 * - `inbox`: the consumer records each event id in the schema's inbox table, in the batch's
 *   transaction, and hands the handler only the new ones;
 * - `handler`: no inbox row; for handlers that are idempotent by event id on their own, where
 *   the inbox would be a second unique index written per event to the same end.
 */
export type Deduplication = 'inbox' | 'handler';

export type EventBatchHandler = (batch: EventBatch) => Promise<void>;

export interface BatchEventConsumerOptions {
  kafka: Kafka;
  dataSource: DataSource;
  /** The service schema holding the inbox table. */
  schema: string;
  groupId: string;
  handlers: ReadonlyMap<string, EventBatchHandler>;
  outbox: Outbox;
  /** Used for dead letters; must be acks=all so a DLQ record is durable before the commit. */
  deadLetterPublisher: EventPublisher;
  metrics?: MessagingMetrics;
  /** Default `inbox`; see {@link Deduplication}. */
  deduplication?: Deduplication;
  /**
   * How long an event id stays in the inbox (default: kept for ever). Past it, a redelivery of
   * the event would be applied again, so it must exceed the topics' retention: a group reset
   * to the earliest offset redelivers all they hold. Pruned hourly, from a minute after start.
   */
  inboxRetentionMs?: number;
  /** Events applied per database transaction (a Kafka batch may be split; default 1,000). */
  maxEventsPerTransaction?: number;
  /** Bytes one fetch brings in per partition (default 2 MB): the size of a Kafka batch. */
  maxBytesPerPartition?: number;
  /** Bytes one fetch brings in over all partitions (default kafkajs's, 10 MB). */
  maxBytesPerFetch?: number;
  /** Attempts for one event that keeps failing while the database is healthy. */
  maxAttempts?: number;
  retryBackoffMs?: number;
  partitionsConsumedConcurrently?: number;
  fromBeginning?: boolean;
  /** How long a member that stopped heartbeating keeps its partitions (default 30 s). */
  sessionTimeoutMs?: number;
  /**
   * At most one offset commit per this many ms (default 1,000; 0 commits after every batch).
   * Offsets are committed only for batches already durable, so a crash between two commits
   * only redelivers what the inbox then drops; stopping and rebalancing commit what is pending.
   */
  offsetCommitIntervalMs?: number;
  log?: (level: 'error' | 'warn' | 'info', message: string, extra?: Record<string, unknown>) => void;
}

interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to consume: the last applied one plus one. */
  offset: string;
}

const partitionKey = ({ topic, partition }: PartitionOffset): string => `${topic}\u0000${partition}`;

interface PendingMessage {
  message: KafkaMessage;
  coordinates: MessageCoordinates;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const INBOX_FIRST_PRUNE_MS = 60_000;
const INBOX_PRUNE_INTERVAL_MS = 3_600_000;

/**
 * Consumes whole Kafka batches: decodes and validates every message, applies the valid ones
 * in database transactions together with their inbox rows, sends the rest to `<topic>.dlq`,
 * and commits the offsets only after all of that is durable.
 *
 * Failure policy: a batch that fails is retried event by event to find the culprit. An event
 * that keeps failing while the database answers is poison and goes to the DLQ (the partition
 * keeps flowing); when the database itself is unreachable nothing is dead-lettered and the
 * batch is left uncommitted for kafkajs to retry.
 */
export class BatchEventConsumer {
  private readonly consumer: Consumer;
  private readonly inbox: Inbox;
  private readonly maxEventsPerTransaction: number;
  private readonly maxAttempts: number;
  private readonly retryBackoffMs: number;
  private readonly offsetCommitIntervalMs: number;
  private started = false;
  /** Offsets of durable batches not committed yet, by topic and partition. */
  private readonly pendingOffsets = new Map<string, PartitionOffset>();
  private lastOffsetCommitAt = 0;
  private offsetCommitTimer: NodeJS.Timeout | undefined;
  /** Batches being applied: stopping waits for them before it commits and leaves. */
  private readonly batchesInFlight = new Set<Promise<void>>();
  /** Crashes kafkajs would not recover from, since the last batch applied (paces the restarts). */
  private unrecoveredCrashes = 0;
  private inboxPruneTimer: NodeJS.Timeout | undefined;
  private inboxPruning: Promise<void> = Promise.resolve();

  constructor(private readonly options: BatchEventConsumerOptions) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: options.sessionTimeoutMs ?? 30000,
      // Several heartbeats per session, so a live member is never taken for a dead one.
      heartbeatInterval: Math.min(3000, Math.floor((options.sessionTimeoutMs ?? 30000) / 5)),
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 2 * 1024 * 1024,
      ...(options.maxBytesPerFetch === undefined ? {} : { maxBytes: options.maxBytesPerFetch }),
      retry: { initialRetryTime: 300, retries: 10 },
    });
    this.inbox = new Inbox(options.schema, options.groupId);
    this.maxEventsPerTransaction = options.maxEventsPerTransaction ?? 1000;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.offsetCommitIntervalMs = options.offsetCommitIntervalMs ?? 1000;
    // Once per consumer, not per start: before the group moves partitions, their applied
    // offsets are committed, so the next owner starts where this member stopped; afterwards,
    // offsets of partitions now owned by another member are dropped so as not to rewind its commits.
    this.consumer.on(this.consumer.events.REBALANCING, () => void this.commitPendingOffsetsQuietly());
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => this.keepPendingOffsetsOf(payload.memberAssignment));
  }

  get topics(): string[] {
    return [...this.options.handlers.keys()].sort();
  }

  get kafkaConsumer(): Consumer {
    return this.consumer;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // kafkajs restarts a crashed consumer only after errors it deems retriable; others (e.g.
    // "Failed to find group coordinator" while the broker restarts) leave it stopped for good
    // while the service runs on, consuming nothing. Such a consumer is started again here.
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || !this.started) return;
      const inMs = this.scheduleRestart();
      this.options.log?.('error', 'Kafka consumer stopped on an error kafkajs does not retry; starting it again', {
        groupId: this.options.groupId,
        error: describeError(payload.error),
        inMs,
      });
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning ?? true });
    await this.run();
    this.scheduleInboxPrune(INBOX_FIRST_PRUNE_MS);
  }

  /**
   * Deletes the inbox rows of events older than the retention, now: what the hourly timer does.
   * Returns how many went (0 without a retention). A group whose handler dedupes writes no
   * rows, but may hold some from before: they go too.
   */
  async pruneInbox(now = new Date(), keepGoing: () => boolean = () => true): Promise<number> {
    const retentionMs = this.options.inboxRetentionMs;
    if (!retentionMs) return 0;
    return this.inbox.prune(this.options.dataSource, new Date(now.getTime() - retentionMs), undefined, keepGoing);
  }

  private scheduleInboxPrune(inMs: number): void {
    if (!this.options.inboxRetentionMs || !this.started) return;
    this.inboxPruneTimer = setTimeout(() => {
      // Stops between statements when the consumer is stopping, so a shutdown does not wait for it.
      this.inboxPruning = this.pruneInbox(new Date(), () => this.started).then(
        (deleted) => {
          if (deleted > 0) this.options.log?.('info', 'inbox pruned', { groupId: this.options.groupId, deleted });
        },
        (error: unknown) => {
          // Nothing lost: the rows stay until the next prune.
          this.options.log?.('warn', 'pruning the inbox failed; it is tried again in an hour', { groupId: this.options.groupId, error: describeError(error) });
        },
      );
      void this.inboxPruning.then(() => this.scheduleInboxPrune(INBOX_PRUNE_INTERVAL_MS));
    }, inMs);
    this.inboxPruneTimer.unref();
  }

  private run(): Promise<void> {
    return this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.trackInFlight(this.processBatch(payload)),
    });
  }

  /** After kafkajs disconnected the crashed consumer: same subscription, same group, committed offsets. */
  private async restartAfterCrash(): Promise<void> {
    if (!this.started) return;
    try {
      await this.consumer.connect();
      await this.run();
    } catch (error) {
      // Not running: kafkajs reports the failure as another crash, which schedules the next try;
      // a failure before that (connect) is retried here.
      this.options.log?.('warn', 'restarting the Kafka consumer failed; trying again', { groupId: this.options.groupId, error: describeError(error) });
      this.scheduleRestart();
    }
  }

  /** 1 s after the first crash, doubling up to 30 s while they follow one another. */
  private scheduleRestart(): number {
    this.unrecoveredCrashes += 1;
    const delayMs = Math.min(30_000, 1000 * 2 ** Math.min(this.unrecoveredCrashes - 1, 5));
    setTimeout(() => void this.restartAfterCrash(), delayMs).unref();
    return delayMs;
  }

  /** Stops taking batches, lets those in flight finish, commits their offsets, then leaves the group. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    clearTimeout(this.inboxPruneTimer);
    await Promise.allSettled([...this.batchesInFlight, this.inboxPruning]);
    clearTimeout(this.offsetCommitTimer);
    await this.commitPendingOffsetsQuietly();
    await this.consumer.disconnect();
  }

  private async trackInFlight(batch: Promise<void>): Promise<void> {
    this.batchesInFlight.add(batch);
    try {
      await batch;
    } finally {
      this.batchesInFlight.delete(batch);
    }
  }

  /**
   * Records a durable batch's next offset and commits every pending one when the last commit
   * is older than the interval; otherwise a timer commits them when it is. One commit per
   * second instead of one per batch and partition spares the broker most of its offset writes.
   */
  private async commitOffsetAfterBatch(offset: PartitionOffset): Promise<void> {
    this.pendingOffsets.set(partitionKey(offset), offset);
    const dueInMs = this.lastOffsetCommitAt + this.offsetCommitIntervalMs - Date.now();
    if (dueInMs <= 0 || !this.started) {
      await this.commitPendingOffsets();
    } else if (this.offsetCommitTimer === undefined) {
      this.offsetCommitTimer = setTimeout(() => {
        this.offsetCommitTimer = undefined;
        void this.commitPendingOffsetsQuietly();
      }, dueInMs);
      this.offsetCommitTimer.unref();
    }
  }

  private async commitPendingOffsets(): Promise<void> {
    if (this.pendingOffsets.size === 0) return;
    const offsets = [...this.pendingOffsets.values()];
    this.pendingOffsets.clear();
    this.lastOffsetCommitAt = Date.now();
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      // Put back what no later batch has superseded, for the next commit.
      for (const offset of offsets) {
        if (!this.pendingOffsets.has(partitionKey(offset))) this.pendingOffsets.set(partitionKey(offset), offset);
      }
      throw error;
    }
  }

  private async commitPendingOffsetsQuietly(): Promise<void> {
    try {
      await this.commitPendingOffsets();
    } catch (error) {
      // Not lost: the offsets stay pending, and what is redelivered meanwhile the inbox drops.
      this.options.log?.('warn', 'committing consumer offsets failed; they are committed with the next batch', {
        groupId: this.options.groupId,
        error: describeError(error),
      });
    }
  }

  private keepPendingOffsetsOf(assignment: Record<string, number[]>): void {
    for (const [key, offset] of this.pendingOffsets) {
      if (!assignment[offset.topic]?.includes(offset.partition)) this.pendingOffsets.delete(key);
    }
  }

  private async processBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    // Stopping: left uncommitted for whoever consumes the partition next.
    if (batch.messages.length === 0 || !isRunning() || isStale() || !this.started) return;
    const endTimer = this.options.metrics?.batchSeconds.startTimer({ topic: batch.topic });
    const handler = this.options.handlers.get(batch.topic);
    const deadLetters: OutgoingRecord[] = [];
    const valid: ConsumedEvent[] = [];
    const rawById = new Map<string, PendingMessage>();

    for (const message of batch.messages) {
      const coordinates = this.coordinatesOf(batch, message);
      const decoded = decodeEvent(message.value);
      if (!decoded.ok) {
        const reason = decoded.errors.map((e) => `${e.path || '/'}: ${e.message}`).join('; ');
        deadLetters.push(this.deadLetter(message, coordinates, `contract violation: ${reason}`, 'contract'));
        continue;
      }
      valid.push({ event: decoded.event, coordinates });
      rawById.set(decoded.event.id, { message, coordinates });
    }
    this.options.metrics?.consumed.inc({ topic: batch.topic }, batch.messages.length);

    if (!handler) {
      for (const { message, coordinates } of rawById.values()) {
        deadLetters.push(this.deadLetter(message, coordinates, `no handler for topic ${batch.topic}`, 'no-handler'));
      }
    } else {
      for (let start = 0; start < valid.length; start += this.maxEventsPerTransaction) {
        if (!isRunning() || isStale() || !this.started) return; // revoked or stopping: leave the rest uncommitted, the inbox absorbs the replay
        const chunk = valid.slice(start, start + this.maxEventsPerTransaction);
        await this.applyIsolatingPoison(batch, chunk, handler, rawById, deadLetters);
        await heartbeat();
      }
    }

    await this.options.deadLetterPublisher.publish(deadLetters);
    this.unrecoveredCrashes = 0;
    const lastOffset = batch.messages[batch.messages.length - 1].offset;
    const nextOffset = (BigInt(lastOffset) + 1n).toString();
    // Moves this consumer's fetch position; the commit is what survives a restart.
    resolveOffset(lastOffset);
    await this.commitOffsetAfterBatch({ topic: batch.topic, partition: batch.partition, offset: nextOffset });
    const highWatermark = BigInt(batch.highWatermark);
    const lag = highWatermark > BigInt(nextOffset) ? Number(highWatermark - BigInt(nextOffset)) : 0;
    this.options.metrics?.consumerLag.set({ group: this.options.groupId, topic: batch.topic, partition: String(batch.partition) }, lag);
    endTimer?.();
  }

  private async applyIsolatingPoison(
    batch: Batch,
    events: ConsumedEvent[],
    handler: EventBatchHandler,
    rawById: Map<string, PendingMessage>,
    deadLetters: OutgoingRecord[],
  ): Promise<void> {
    try {
      await this.applyInTransaction(batch, events, handler, rawById);
      return;
    } catch (error) {
      if (events.length > 1) {
        this.options.log?.('warn', 'batch failed, retrying event by event', { topic: batch.topic, error: describeError(error) });
        for (const event of events) await this.applyIsolatingPoison(batch, [event], handler, rawById, deadLetters);
        return;
      }
      await this.retryOrDeadLetter(batch, events[0], handler, rawById, deadLetters, error);
    }
  }

  private async retryOrDeadLetter(
    batch: Batch,
    event: ConsumedEvent,
    handler: EventBatchHandler,
    rawById: Map<string, PendingMessage>,
    deadLetters: OutgoingRecord[],
    firstError: unknown,
  ): Promise<void> {
    let error = firstError;
    for (let attempt = 2; attempt <= this.maxAttempts && !(error instanceof PoisonMessageError); attempt++) {
      await sleep(this.retryBackoffMs * 2 ** (attempt - 2));
      try {
        await this.applyInTransaction(batch, [event], handler, rawById);
        return;
      } catch (retryError) {
        error = retryError;
      }
    }
    if (
      !(error instanceof PoisonMessageError) &&
      (error instanceof DeadLetterPublishError || isTransientDatabaseError(error) || !(await this.databaseAnswers()))
    ) {
      // Not the event's fault (the database or the broker is away, or a deadlock or
      // serialization failure struck every attempt): keep the batch uncommitted; kafkajs
      // retries it later. A dead letter of the broker's error would replace the handler's reason.
      throw error;
    }
    const raw = rawById.get(event.event.id);
    if (!raw) throw error;
    const kind = error instanceof PoisonMessageError ? 'rejected' : 'handler-error';
    this.options.log?.('error', 'event sent to DLQ', {
      eventId: event.event.id,
      correlationId: event.event.correlationId,
      traceId: traceIdOf(event),
      topic: batch.topic,
      error: describeError(error),
    });
    deadLetters.push(this.deadLetter(raw.message, raw.coordinates, describeError(error), kind));
  }

  private async applyInTransaction(batch: Batch, events: ConsumedEvent[], handler: EventBatchHandler, rawById: Map<string, PendingMessage>): Promise<void> {
    const rejected: OutgoingRecord[] = [];
    await this.options.dataSource.transaction(async (manager) => {
      let skipped = 0;
      const fresh = this.options.deduplication === 'handler' ? onceEach(events) : await this.inbox.claim(manager, events);
      let duplicates = events.length - fresh.length;
      if (fresh.length === 0) {
        if (duplicates > 0) this.options.metrics?.duplicates.inc({ topic: batch.topic }, duplicates);
        return;
      }
      // Each message's trace goes on through what the handler publishes (see TraceScope); a
      // lone event's trace is also the active context, for the handler's logs and calls.
      const scope = new TraceScope(fresh);
      const active = fresh.length === 1 ? childSpanContext(scope.ofEvent(fresh[0].event.id)) : undefined;
      await runInTraceScope(scope, active, () =>
        handler({
          topic: batch.topic,
          partition: batch.partition,
          events: fresh,
          manager,
          outbox: this.options.outbox,
          deadLetter: (event, reason) => {
            const raw = rawById.get(event.event.id);
            if (raw) rejected.push(this.deadLetter(raw.message, raw.coordinates, reason, 'rejected'));
          },
          reportDuplicates: (count) => {
            skipped += count;
          },
        }),
      );
      duplicates += skipped;
      if (duplicates > 0) this.options.metrics?.duplicates.inc({ topic: batch.topic }, duplicates);
      this.options.metrics?.applied.inc({ topic: batch.topic }, fresh.length - skipped - rejected.length);
      // Before the commit: once the inbox (or the handler's own dedupe) holds them, a redelivery
      // skips the rejected events, so a dead letter left for the end of the batch was lost to a
      // failed publish or a stop between chunks. A commit that fails after this only repeats it.
      try {
        await this.options.deadLetterPublisher.publish(rejected);
      } catch (error) {
        throw new DeadLetterPublishError(error);
      }
    });
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.options.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private coordinatesOf(batch: Batch, message: KafkaMessage): MessageCoordinates {
    return {
      topic: batch.topic,
      partition: batch.partition,
      offset: message.offset,
      timestamp: message.timestamp,
      headers: message.headers ?? {},
      key: message.key === null || message.key === undefined ? null : message.key.toString('utf8'),
    };
  }

  private deadLetter(
    message: KafkaMessage,
    coordinates: MessageCoordinates,
    reason: string,
    kind: string,
  ): OutgoingRecord {
    this.options.metrics?.deadLettered.inc({ topic: coordinates.topic, reason: kind });
    return deadLetterRecord(message, coordinates, this.options.groupId, reason);
  }
}

/** The batch with each event id once, first occurrence kept (a re-published outbox row can repeat one). */
function onceEach(events: ConsumedEvent[]): ConsumedEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.event.id) && (seen.add(e.event.id), true));
}

/** The dead letters of a transaction's rejected events could not be published: the broker's fault, not the events'. */
class DeadLetterPublishError extends Error {
  constructor(cause: unknown) {
    super(`publishing dead letters failed: ${describeError(cause)}`, { cause });
    this.name = 'DeadLetterPublishError';
  }
}

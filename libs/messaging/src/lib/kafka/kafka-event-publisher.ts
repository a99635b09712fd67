import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { EventPublisher, OutgoingRecord } from '../ports';

/**
 * Publishes arriving while a send is in flight are merged into the next send up to this many
 * bytes (values, keys and headers).
 */
const MAX_MERGED_BYTES = 512 * 1024;

/**
 * Bytes one produce request carries at most. The broker refuses a partition's record batch above
 * its `message.max.bytes` (1 MiB by default) with MESSAGE_TOO_LARGE, which no retry cures: a
 * relay batch of 500 long ads (a 5,000-character body makes a 12 kB event) sent whole stalled
 * the outbox for good. A publish larger than this is sent in parts, one after the other; the
 * margin below 1 MiB is for the records' own framing, should every record go to one partition.
 */
const MAX_SEND_BYTES = 900 * 1024;

function sizeOf(record: OutgoingRecord): number {
  let bytes = record.value.length + Buffer.byteLength(record.key);
  for (const name in record.headers) bytes += name.length + Buffer.byteLength(record.headers[name]);
  return bytes;
}

/**
 * Errors after which the producer's sequence numbers no longer match the broker's (e.g. a batch
 * whose fate was unknown when the broker restarted): kafkajs keeps its producer id and fails
 * every later send the same way. Only a new producer id recovers.
 */
const DESYNCHRONISED = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

function desynchronised(error: unknown): boolean {
  for (let cause = error as { type?: string; cause?: unknown } | undefined; cause; cause = cause.cause as typeof cause) {
    if (cause.type && DESYNCHRONISED.has(cause.type)) return true;
  }
  return false;
}

/** What the publisher counts: records acknowledged per topic (`MessagingMetrics` has it). */
export interface PublishedCounter {
  published: { inc(labels: { topic: string }, count: number): void };
}

interface PendingPublish {
  readonly records: readonly OutgoingRecord[];
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The idempotent Kafka producer behind the `EventPublisher` port: acks from all in-sync
 * replicas, broker-side de-duplication of retried batches, one in-flight request so a
 * retry can never reorder one subject's events. Retries are bounded (kafkajs warns about
 * that): a publish that finally fails is retried by the caller — the outbox relay keeps its
 * rows — and the consumers' inbox drops any duplicate this creates.
 *
 * With one request in flight, concurrent publishes (HTTP requests, relays) would each wait a
 * full broker round trip behind the others; instead, those that arrive during a send go out
 * together in the next one, in arrival order. When a merged send fails, each publish in it is
 * sent again on its own, so one caller's bad record never fails another's.
 */
export class KafkaEventPublisher implements EventPublisher {
  private producer: Producer;
  private connected: Promise<void> | undefined;
  private pending: PendingPublish[] = [];
  private sending = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly metrics?: PublishedCounter,
  ) {
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Murmur2 on the key, as Java clients do, so a subject maps to the same partition everywhere.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    // A failed connection is forgotten, so the next publish tries again: kept, it would fail
    // every publish until the process restarts (after a desync the broker may still be away).
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    const bytes = records.reduce((sum, record) => sum + sizeOf(record), 0);
    await new Promise<void>((resolve, reject) => {
      this.pending.push({ records, bytes, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.pending.length > 0) {
        let bytes = 0;
        let count = 0;
        while (count < this.pending.length && (count === 0 || bytes + this.pending[count].bytes <= MAX_MERGED_BYTES)) bytes += this.pending[count++].bytes;
        const group = this.pending.splice(0, count);
        try {
          await this.send(group.flatMap((item) => item.records));
          for (const item of group) item.resolve();
        } catch (error) {
          if (group.length === 1) {
            group[0].reject(error);
            continue;
          }
          for (const item of group) {
            await this.send(item.records).then(item.resolve, item.reject);
          }
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /**
   * Sends in parts of at most {@link MAX_SEND_BYTES}, each acknowledged before the next goes, so
   * a subject's events keep their order. A part that fails fails the publish; the parts before
   * it are written, and the caller's retry repeats them (duplicates the consumers drop).
   */
  private async send(records: readonly OutgoingRecord[]): Promise<void> {
    let start = 0;
    while (start < records.length) {
      let end = start;
      let bytes = 0;
      for (; end < records.length; end++) {
        const size = sizeOf(records[end]);
        if (end > start && bytes + size > MAX_SEND_BYTES) break;
        bytes += size;
      }
      await this.sendPart(start === 0 && end === records.length ? records : records.slice(start, end));
      start = end;
    }
  }

  private async sendPart(records: readonly OutgoingRecord[]): Promise<void> {
    const byTopic = new Map<string, { key: string; value: Buffer; headers: Record<string, string> }[]>();
    for (const record of records) {
      const messages = byTopic.get(record.topic) ?? [];
      messages.push({ key: record.key, value: record.value, headers: record.headers });
      byTopic.set(record.topic, messages);
    }
    await this.connect();
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      if (desynchronised(error)) {
        // The next send goes through a new producer (new id, sequences from 0); whatever the
        // old one may have written is a duplicate that the consumers' inbox drops.
        const stale = this.producer;
        this.producer = this.newProducer();
        this.connected = undefined;
        await stale.disconnect().catch(() => undefined);
      }
      throw error;
    }
    if (this.metrics) for (const [topic, messages] of byTopic) this.metrics.published.inc({ topic }, messages.length);
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }
}

import { Worker } from 'node:worker_threads';
import type { EventPublisher, OutgoingRecord } from '../ports';
import { workerThreadExecArgv } from '../threads/worker-exec-argv';
import type { KafkaClientOptions } from './kafka-config';
import type { PublishedCounter } from './kafka-event-publisher';
import {
  fromThreadError,
  type PublisherThreadReply,
  type PublisherThreadRequest,
  type PublisherThreadSettings,
  type RecordSlot,
} from './publisher-thread.protocol';
import { PUBLISHER_THREAD_FILE, PUBLISHER_THREAD_ROLE } from './publisher-thread.worker';

export type ThreadedKafkaPublisherOptions = Pick<KafkaClientOptions, 'brokers' | 'clientId' | 'connectionTimeoutMs' | 'requestTimeoutMs' | 'log'>;

/**
 * `KafkaEventPublisher` (idempotent, acks=all, one request in flight, merged sends) run in a
 * worker thread. kafkajs builds every produce request in JavaScript, a buffer per record and
 * per header; in a service that takes HTTP requests that work competed with them on one
 * event loop. The records cross over as one transferred buffer, so nothing is copied twice.
 *
 * Same contract as the in-thread publisher: `publish` resolves once the broker acknowledged
 * every record and rejects with kafkajs's error (name, message, `type`, `retriable`). Should
 * the thread die, pending publishes fail and the next one starts a new thread.
 */
export class ThreadedKafkaPublisher implements EventPublisher {
  private worker: Worker | undefined;
  private connected: Promise<void> | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private onConnected: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private onDisconnected: (() => void) | undefined;

  constructor(
    private readonly options: ThreadedKafkaPublisherOptions,
    private readonly metrics?: PublishedCounter,
  ) {}

  connect(): Promise<void> {
    this.connected ??= new Promise<void>((resolve, reject) => {
      this.onConnected = { resolve, reject };
      this.worker = this.startWorker();
    }).catch((error: Error) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    const worker = this.worker as Worker;
    // One fresh buffer for all payloads, transferred: a Buffer cloned on its own would drag
    // along the whole allocation it is a view of.
    const total = records.reduce((sum, record) => sum + record.value.length, 0);
    const payload = new Uint8Array(new ArrayBuffer(total));
    const slots: RecordSlot[] = [];
    let offset = 0;
    for (const { topic, key, headers, value } of records) {
      payload.set(value, offset);
      offset += value.length;
      slots.push({ topic, key, headers, length: value.length });
    }
    const id = this.nextId++;
    await new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: PublisherThreadRequest = { kind: 'publish', id, slots, payload: payload.buffer };
      worker.postMessage(request, [payload.buffer]);
    });
  }

  async disconnect(): Promise<void> {
    const worker = this.worker;
    if (!worker || !this.connected) return;
    await this.connected.catch(() => undefined);
    await new Promise<void>((resolve) => {
      this.onDisconnected = resolve;
      worker.postMessage({ kind: 'disconnect' } satisfies PublisherThreadRequest);
    });
    await worker.terminate();
  }

  private startWorker(): Worker {
    const settings: PublisherThreadSettings = {
      role: PUBLISHER_THREAD_ROLE,
      brokers: [...this.options.brokers],
      clientId: this.options.clientId,
      connectionTimeoutMs: this.options.connectionTimeoutMs,
      requestTimeoutMs: this.options.requestTimeoutMs,
      forwardLogs: this.options.log !== undefined,
    };
    const worker = new Worker(PUBLISHER_THREAD_FILE, { workerData: settings, execArgv: workerThreadExecArgv(PUBLISHER_THREAD_FILE) });
    worker.on('message', (reply: PublisherThreadReply) => this.onReply(reply));
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`the Kafka publisher thread exited (code ${code})`)));
    return worker;
  }

  private onReply(reply: PublisherThreadReply): void {
    switch (reply.kind) {
      case 'connected':
        this.onConnected?.resolve();
        return;
      case 'connect-failed':
        this.onConnected?.reject(fromThreadError(reply.error));
        return;
      case 'published':
        this.settle(reply.id)?.resolve();
        return;
      case 'failed':
        this.settle(reply.id)?.reject(fromThreadError(reply.error));
        return;
      case 'counted':
        this.metrics?.published.inc({ topic: reply.topic }, reply.count);
        return;
      case 'log':
        this.options.log?.(reply.level, reply.message, reply.extra);
        return;
      case 'disconnected':
        this.onDisconnected?.();
        return;
    }
  }

  private settle(id: number): { resolve: () => void; reject: (error: Error) => void } | undefined {
    const entry = this.waiting.get(id);
    this.waiting.delete(id);
    return entry;
  }

  /** The thread died (or was stopped): whatever it had not answered fails; the next publish starts anew. */
  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.connected = undefined;
    this.onConnected?.reject(error);
    this.onDisconnected?.();
    for (const entry of this.waiting.values()) entry.reject(error);
    this.waiting.clear();
  }
}

import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { BatchEventConsumer, type BatchEventConsumerOptions, type EventBatch, type EventBatchHandler } from '../consumer/batch-event-consumer';

export type KafkaEventTransportOptions = Omit<BatchEventConsumerOptions, 'handlers'>;

/**
 * Nest transport strategy over `BatchEventConsumer`: every `@EventPattern(topic)` handler
 * receives one `EventBatch` per Kafka batch (not one message), inside the transaction that
 * records the inbox rows. Request-reply (`@MessagePattern`) is refused: synchronous calls
 * between services go over HTTP.
 */
export class KafkaEventTransport extends Server implements CustomTransportStrategy {
  private consumer: BatchEventConsumer | undefined;

  constructor(private readonly options: KafkaEventTransportOptions) {
    super();
  }

  get subscribedTopics(): string[] {
    return this.consumer?.topics ?? [];
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const handlers = new Map<string, EventBatchHandler>();
      for (const [pattern, handler] of this.messageHandlers) {
        if (!handler.isEventHandler) {
          throw new Error(`@MessagePattern('${pattern}') is not supported over Kafka; use @EventPattern or HTTP`);
        }
        handlers.set(pattern, async (batch: EventBatch) => {
          const result = await handler(batch);
          await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
        });
      }
      if (handlers.size > 0) {
        this.consumer = new BatchEventConsumer({ ...this.options, handlers });
        await this.consumer.start();
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  on(): void {
    // kafkajs reports through the consumer's instrumentation and our logger; no extra events.
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('the Kafka event transport is not listening');
    return this.consumer.kafkaConsumer as T;
  }
}

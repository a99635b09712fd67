import type { EventPublisher, MessagingMetrics, Outbox, OutboxRelay } from '@vigie/messaging';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { ServiceConfig } from './config/service-config';

/**
 * The I/O a service is wired with, built once by `bootstrapService` and injected into the
 * Nest container under these tokens.
 */
export interface ServiceInfrastructure {
  config: ServiceConfig;
  logger: Logger;
  dataSource: DataSource;
  kafka: Kafka;
  /** The idempotent producer, in the service's thread or in a worker thread of its own (`ServiceDefinition.publishFromWorkerThread`). */
  publisher: EventPublisher & { connect(): Promise<void>; disconnect(): Promise<void> };
  outbox: Outbox;
  relay: OutboxRelay;
  metricsRegistry: Registry;
  messagingMetrics: MessagingMetrics;
  /** The service's own validated settings (`ServiceDefinition.settings`). */
  settings: object;
}

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');
export const EVENT_PUBLISHER = Symbol('EVENT_PUBLISHER');
export const OUTBOX = Symbol('OUTBOX');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const SERVICE_SETTINGS = Symbol('SERVICE_SETTINGS');
export const RELAY = Symbol('RELAY');
export const MESSAGING_METRICS = Symbol('MESSAGING_METRICS');

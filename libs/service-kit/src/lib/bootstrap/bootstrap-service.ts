import { type INestApplication, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { allTopicNames, partitionsFor } from '@vigie/contracts';
import {
  childSpanContext,
  createKafkaClient,
  ensureTopics,
  installTraceContext,
  KafkaEventPublisher,
  KafkaEventTransport,
  MessagingMetrics,
  Outbox,
  OutboxRelay,
  runInSpanContext,
  spanContextFromHeaders,
  ThreadedKafkaPublisher,
  type BatchEventConsumerOptions,
  type KafkaClientOptions,
  type OutboxRelayOptions,
  type SubjectTraceLookup,
} from '@vigie/messaging';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { MigrationInterface } from 'typeorm';
import { type ServiceConfig, loadServiceConfig } from '../config/service-config';
import { createServiceDataSource, migrateServiceSchema } from '../database/service-data-source';
import { AutovacuumStandIn } from '../database/autovacuum-stand-in';
import type { ServiceInfrastructure } from '../infrastructure';
import { installRequestInputChecks, installStrictJsonParser } from '../http/strict-json-parser';
import { createLogger, PinoNestLogger } from '../logging/logger';
import { ServiceExceptionFilter } from '../errors/service-exception.filter';
import { ServiceCoreModule } from './service-core.module';

export interface ServiceDefinition {
  /** Service name, used for logs, metrics, the consumer group and `<NAME>_PORT`. */
  name: string;
  description: string;
  defaultPort: number;
  /** The Postgres schema this service owns. */
  schema: string;
  migrations: (new () => MigrationInterface)[];
  /** The service's root feature module (controllers, event handlers, services). */
  module: Type<unknown>;
  relay?: Pick<OutboxRelayOptions, 'afterPublish' | 'batchSize' | 'idlePollMs'>;
  /** Batch sizes of the service's consumer, where the defaults do not suit its work. */
  consumer?: Pick<BatchEventConsumerOptions, 'deduplication' | 'maxEventsPerTransaction' | 'maxBytesPerPartition' | 'maxBytesPerFetch'>;
  /**
   * The service's own settings, read from the same environment and validated at start
   * (throw a `ConfigurationError`); injectable as `SERVICE_SETTINGS`.
   */
  settings?: (env: NodeJS.ProcessEnv) => object;
  /** Extra Fastify set-up (e.g. a streaming content-type parser) before routes are bound. */
  configureHttp?: (fastify: FastifyInstance) => void;
  /**
   * Where the service remembers each subject's trace, so events it publishes from HTTP calls
   * and workers continue the ad's trace (see `SubjectTraceLookup`).
   */
  subjectTraces?: SubjectTraceLookup;
  /**
   * Publish from a worker thread (`ThreadedKafkaPublisher`): for services whose HTTP intake
   * and Kafka publishing compete for one event loop. Costs a second V8 heap and a copy of the
   * records in flight: notice-and-takedown's peak RSS in bench:pipeline went from 246 to 255
   * MB; ingest's during a 1M-ad NDJSON import from 321 to 395 MB (so ingest does not use it).
   */
  publishFromWorkerThread?: boolean;
}

export interface RunningService {
  app: INestApplication;
  config: ServiceConfig;
  infrastructure: ServiceInfrastructure;
  url: string;
  /** Graceful stop: HTTP and consumer first (the batch in flight commits), then relay, producer, pool. */
  close(): Promise<void>;
}

/**
 * Starts one Vigie service: validated config, JSON logs, migrated schema, topics ensured,
 * Nest on Fastify with HTTP endpoints and the Kafka event transport, outbox relay running.
 */
export async function bootstrapService(
  definition: ServiceDefinition,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningService> {
  const config = loadServiceConfig(definition.name, definition.defaultPort, env);
  const settings = definition.settings?.(env) ?? {};
  installTraceContext();
  const logger = createLogger(definition.name, config.logLevel);
  const dataSource = createServiceDataSource({
    url: config.databaseUrl,
    schema: definition.schema,
    migrations: definition.migrations,
    poolSize: config.databasePoolSize,
    applicationName: `vigie-${definition.name}`,
  });
  await dataSource.initialize();
  const applied = await migrateServiceSchema(dataSource, definition.schema);
  logger.info({ schema: definition.schema, applied }, 'database schema migrated');
  const autovacuum = new AutovacuumStandIn(dataSource, definition.schema, logger);
  await autovacuum.start();

  const kafkaClientOptions: KafkaClientOptions = {
    brokers: config.kafkaBrokers,
    clientId: `vigie-${definition.name}`,
    log: (level, message, extra) => logger[level]({ kafka: extra }, message),
  };
  const kafka = createKafkaClient(kafkaClientOptions);
  await ensureTopics(
    kafka,
    allTopicNames({ withDlq: true }).map((name) => ({ name, partitions: partitionsFor(name) })),
  );

  const metricsRegistry = new Registry();
  metricsRegistry.setDefaultLabels({ service: definition.name });
  collectDefaultMetrics({ register: metricsRegistry });
  const messagingMetrics = new MessagingMetrics(metricsRegistry);
  const publisher = definition.publishFromWorkerThread
    ? new ThreadedKafkaPublisher(kafkaClientOptions, messagingMetrics)
    : new KafkaEventPublisher(kafka, messagingMetrics);
  await publisher.connect();
  const outbox = new Outbox(definition.schema, undefined, { subjectTraces: definition.subjectTraces });
  const relay = new OutboxRelay(dataSource, outbox, publisher, {
    ...definition.relay,
    onError: (error) => logger.error({ err: error }, 'outbox relay failed; retrying'),
    onPublished: (count) => messagingMetrics.outboxPublished.inc(count),
  });
  messagingMetrics.observeOutbox(() => relay.backlog());
  const infrastructure: ServiceInfrastructure = {
    config,
    logger,
    dataSource,
    kafka,
    publisher,
    outbox,
    relay,
    metricsRegistry,
    messagingMetrics,
    settings,
  };

  @Module({ imports: [ServiceCoreModule.forRoot(infrastructure), definition.module] })
  class ServiceRootModule {}

  const app = await NestFactory.create<NestFastifyApplication>(
    ServiceRootModule,
    new FastifyAdapter({ bodyLimit: config.bodyLimitBytes, trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false }),
    // Body parsing is ours: strict UTF-8 JSON for every service, plus the service's own parsers.
    { logger: new PinoNestLogger(logger), abortOnError: false, bodyParser: false },
  );
  app.useGlobalFilters(new ServiceExceptionFilter(app.getHttpAdapter()));
  const fastify = app.getHttpAdapter().getInstance();
  // A request that carries a W3C `traceparent` (a platform's own trace) is handled as a span of
  // that trace: its logs and the events it causes belong to it. Without one nothing is started
  // here: ingest then starts one trace per ad, the other services continue the ad's trace.
  // After body parsing (preHandler), so the context reaches the handler whatever the parser did.
  fastify.addHook('preHandler', (request, _reply, done) => {
    const incoming = spanContextFromHeaders(request.headers);
    if (incoming) runInSpanContext(childSpanContext(incoming), done);
    else done();
  });
  installStrictJsonParser(fastify);
  installRequestInputChecks(fastify);
  definition.configureHttp?.(fastify);
  const openApi = new DocumentBuilder()
    .setTitle(`Vigie ${definition.name}`)
    .setDescription(definition.description)
    .setVersion('1')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), {
    jsonDocumentUrl: 'docs/json',
  });

  app.connectMicroservice(
    {
      strategy: new KafkaEventTransport({
        kafka,
        dataSource,
        schema: definition.schema,
        groupId: config.consumerGroup,
        fromBeginning: config.consumerStart === 'earliest',
        sessionTimeoutMs: config.consumerSessionTimeoutMs,
        inboxRetentionMs: config.inboxRetentionDays * 86_400_000,
        ...definition.consumer,
        outbox,
        deadLetterPublisher: publisher,
        metrics: messagingMetrics,
        log: (level, message, extra) => logger[level](extra ?? {}, message),
      }),
    },
    { inheritAppConfig: true },
  );
  // Providers' start hooks (scoring's hash lists and contact graph, ingest's key cache) run in
  // init(). A hybrid app would otherwise run them in listen(), after the consumer has started:
  // ads consumed meanwhile were scored against an empty hash index.
  await app.init();
  await app.startAllMicroservices();
  relay.start();
  await app.listen(config.port, config.host);
  const url = `http://${config.host}:${config.port}`;
  logger.info({ url }, `${definition.name} listening`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      logger.info('shutting down: stopping HTTP and consumer');
      await app.close();
      await relay.stop();
      await publisher.disconnect();
      await autovacuum.stop();
      await dataSource.destroy();
      logger.info('shutdown complete');
      logger.flush();
    })());

  return { app, config, infrastructure, url, close };
}

/**
 * Entry point used by each app's `main.ts`: starts the service, and stops it cleanly on
 * SIGTERM/SIGINT within the configured timeout. A configuration error exits with code 78
 * (EX_CONFIG) and a message naming every bad variable.
 */
export async function runService(definition: ServiceDefinition): Promise<void> {
  let service: RunningService;
  try {
    service = await bootstrapService(definition);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`vigie ${definition.name} failed to start: ${message}\n`);
    process.exit(error instanceof Error && error.name === 'ConfigurationError' ? 78 : 1);
  }
  const stop = (signal: NodeJS.Signals) => {
    service.infrastructure.logger.info({ signal }, 'signal received');
    const timer = setTimeout(() => {
      service.infrastructure.logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, service.config.shutdownTimeoutMs);
    timer.unref();
    service.close().then(
      () => process.exit(0),
      (error) => {
        service.infrastructure.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

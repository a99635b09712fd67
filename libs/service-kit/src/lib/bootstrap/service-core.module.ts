import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HealthController } from '../health/health.controller';
import { ReadinessService } from '../health/readiness.service';
import {
  EVENT_PUBLISHER,
  KAFKA_CLIENT,
  MESSAGING_METRICS,
  METRICS_REGISTRY,
  OUTBOX,
  RELAY,
  SERVICE_CONFIG,
  SERVICE_LOGGER,
  SERVICE_SETTINGS,
  type ServiceInfrastructure,
} from '../infrastructure';
import { MetricsController } from '../metrics/metrics.controller';

/**
 * Makes the service's infrastructure injectable everywhere (the data source by its class,
 * the rest by token) and adds the operations endpoints every service has.
 */
@Global()
@Module({})
export class ServiceCoreModule {
  static forRoot(infrastructure: ServiceInfrastructure): DynamicModule {
    const providers = [
      { provide: DataSource, useValue: infrastructure.dataSource },
      { provide: EVENT_PUBLISHER, useValue: infrastructure.publisher },
      { provide: KAFKA_CLIENT, useValue: infrastructure.kafka },
      { provide: METRICS_REGISTRY, useValue: infrastructure.metricsRegistry },
      { provide: OUTBOX, useValue: infrastructure.outbox },
      { provide: SERVICE_CONFIG, useValue: infrastructure.config },
      { provide: SERVICE_LOGGER, useValue: infrastructure.logger },
      { provide: SERVICE_SETTINGS, useValue: infrastructure.settings },
      { provide: RELAY, useValue: infrastructure.relay },
      { provide: MESSAGING_METRICS, useValue: infrastructure.messagingMetrics },
    ];
    return {
      module: ServiceCoreModule,
      controllers: [HealthController, MetricsController],
      providers: [...providers, ReadinessService],
      exports: [...providers.map((provider) => provider.provide), ReadinessService],
    };
  }
}

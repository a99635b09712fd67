import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HealthController } from '../health/health.controller';
import { ReadinessService } from '../health/readiness.service';
import {
  EVENT_PUBLISHER,
  KAFKA_CLIENT,
  METRICS_REGISTRY,
  OUTBOX,
  SERVICE_CONFIG,
  SERVICE_LOGGER,
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
    ];
    return {
      module: ServiceCoreModule,
      controllers: [HealthController, MetricsController],
      providers: [...providers, ReadinessService],
      exports: [...providers.map((provider) => provider.provide), ReadinessService],
    };
  }
}

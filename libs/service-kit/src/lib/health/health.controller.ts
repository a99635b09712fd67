import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { ServiceConfig } from '../config/service-config';
import { SERVICE_CONFIG } from '../infrastructure';
import { ReadinessService } from './readiness.service';

@ApiTags('operations')
@Controller()
export class HealthController {
  private readonly startedAt = new Date();

  constructor(
    private readonly readiness: ReadinessService,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** Liveness: the process answers. Never touches dependencies, so a broker outage does not restart it. */
  @Get('health')
  @ApiOkResponse({ description: 'The process is alive' })
  health() {
    return {
      status: 'ok',
      service: this.config.serviceName,
      startedAt: this.startedAt.toISOString(),
      uptimeSeconds: Math.round(process.uptime()),
    };
  }

  /** Readiness: the database and Kafka both answer. */
  @Get('ready')
  @ApiOkResponse({ description: 'Database and Kafka reachable' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is unreachable; the body says which' })
  async ready(@Res() reply: FastifyReply) {
    const report = await this.readiness.check();
    await reply
      .status(report.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .send({ service: this.config.serviceName, ...report });
  }
}

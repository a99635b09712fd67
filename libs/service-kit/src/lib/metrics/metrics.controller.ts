import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, ForbiddenException, Get, Header, Inject, Req, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { ServiceConfig } from '../config/service-config';
import { METRICS_REGISTRY, SERVICE_CONFIG } from '../infrastructure';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const ipv4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ipv4);
}

@Controller()
export class MetricsController {
  private readonly tokenDigest: Buffer | undefined;

  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.tokenDigest = config.metricsToken === undefined ? undefined : digest(config.metricsToken);
  }

  /**
   * Prometheus text exposition of this process's metrics. Its labels name platforms (webhook
   * breakers, SLA states per platform), so it is not public: with VIGIE_METRICS_TOKEN set the
   * scraper presents it as a bearer token; without, only loopback clients are answered.
   */
  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics(@Req() request: FastifyRequest): Promise<string> {
    if (this.tokenDigest) {
      const header = request.headers.authorization ?? '';
      const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
      // Digests of equal length, compared in constant time: the token's length does not leak either.
      if (!presented || !timingSafeEqual(digest(presented), this.tokenDigest)) {
        throw new UnauthorizedException({ statusCode: 401, code: 'METRICS_TOKEN_REQUIRED', message: 'scrape /metrics with Authorization: Bearer <VIGIE_METRICS_TOKEN>' });
      }
    } else if (!isLoopbackAddress(request.socket.remoteAddress)) {
      throw new ForbiddenException({
        statusCode: 403,
        code: 'METRICS_LOOPBACK_ONLY',
        message: 'metrics are served to loopback clients only; set VIGIE_METRICS_TOKEN to scrape them from elsewhere',
      });
    }
    return this.registry.metrics();
  }
}

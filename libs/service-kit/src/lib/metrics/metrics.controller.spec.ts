import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import type { ServiceConfig } from '../config/service-config';
import { isLoopbackAddress, MetricsController } from './metrics.controller';

const registry = new Registry();
registry.setDefaultLabels({ service: 'spec' });

const controller = (metricsToken: string | undefined) => new MetricsController(registry, { metricsToken } as ServiceConfig);
const request = (remoteAddress: string, authorization?: string) =>
  ({ socket: { remoteAddress }, headers: authorization === undefined ? {} : { authorization } }) as unknown as FastifyRequest;

describe('GET /metrics access', () => {
  it('answers loopback clients when no token is configured, and refuses the others', async () => {
    await expect(controller(undefined).metrics(request('127.0.0.1'))).resolves.toEqual(expect.any(String));
    await expect(controller(undefined).metrics(request('::ffff:127.0.0.1'))).resolves.toEqual(expect.any(String));
    await expect(controller(undefined).metrics(request('10.0.0.7'))).rejects.toBeInstanceOf(ForbiddenException);
    await expect(controller(undefined).metrics(request('::ffff:192.168.1.2'))).rejects.toBeInstanceOf(ForbiddenException);
  });

  it('asks every client, loopback included, for the configured token', async () => {
    const token = 'metrics-token-0123456789abcdef';
    await expect(controller(token).metrics(request('10.0.0.7', `Bearer ${token}`))).resolves.toEqual(expect.any(String));
    await expect(controller(token).metrics(request('127.0.0.1'))).rejects.toBeInstanceOf(UnauthorizedException);
    await expect(controller(token).metrics(request('127.0.0.1', `Bearer ${token}x`))).rejects.toBeInstanceOf(UnauthorizedException);
    await expect(controller(token).metrics(request('127.0.0.1', token))).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'].map(isLoopbackAddress)).toEqual([true, true, true, true]);
    expect(['10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', 'fe80::1', '', undefined].map(isLoopbackAddress)).toEqual([false, false, false, false, false, false]);
  });
});

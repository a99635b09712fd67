import { type ArgumentsHost, Catch, type ExceptionFilter, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { isDatabaseUnavailable } from '@vigie/messaging';
import type { FastifyReply } from 'fastify';
import { CodedHttpException } from './coded-http.exception';

/** Seconds a client is told to wait when the database is away: restarts and failovers take a few. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * Every service's exception filter, for what Nest's own does not do:
 * - a request that fails because the database is away gets 503 `DATABASE_UNAVAILABLE` with
 *   `Retry-After`, a status clients retry, instead of a bare 500;
 * - a feature's exception that tells the client when to retry (`retryAfterSeconds`) carries
 *   `Retry-After`.
 * Everything else, and every Kafka handler (the consumers inherit this filter), is handled as
 * Nest would anyway.
 */
@Catch()
export class ServiceExceptionFilter implements ExceptionFilter {
  private readonly http: BaseExceptionFilter;
  private readonly rpc = new BaseRpcExceptionFilter();

  constructor(httpServer: HttpServer) {
    this.http = new BaseExceptionFilter(httpServer);
  }

  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') return this.rpc.catch(exception, host);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (!isDatabaseUnavailable(exception)) {
      if (exception instanceof CodedHttpException && exception.retryAfterSeconds !== undefined) {
        void reply.header('retry-after', String(exception.retryAfterSeconds));
      }
      return this.http.catch(exception, host);
    }
    void reply
      .status(503)
      .header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS))
      .send({ statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: `the database is unavailable: retry in ${DATABASE_RETRY_AFTER_SECONDS} s` });
  }
}

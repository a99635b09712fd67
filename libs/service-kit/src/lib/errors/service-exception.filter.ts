import { type ArgumentsHost, Catch, type ExceptionFilter, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import type { FastifyReply } from 'fastify';
import { CodedHttpException } from './coded-http.exception';

/** Seconds a client is told to wait when the database is away: restarts and failovers take a few. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * SQLSTATEs of a database that cannot serve the query at all (not of a bad query): connection
 * failures (class 08), shutdown and crash (57P01–57P03), too many connections (53300),
 * a database not accepting connections (55000 with that message is covered by its text).
 */
const UNAVAILABLE_STATES = /^(08...|57P0[1-3]|53300)$/;
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'is not currently accepting connections',
  'the database system is starting up',
  'the database system is shutting down',
];

/** Whether `error` says the database is unreachable or refusing work, rather than that a query is wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_SOCKET_CODES.has(code))) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((text) => message.includes(text))) return true;
    // TypeORM keeps the driver's error beside its own; Node keeps the reason in `cause`.
    current = (current as { driverError?: unknown }).driverError ?? (current as { cause?: unknown }).cause;
  }
  return false;
}

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

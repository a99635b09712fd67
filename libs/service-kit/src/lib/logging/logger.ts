import type { LoggerService } from '@nestjs/common';
import { traceLogFields } from '@vigie/messaging';
import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/service-config';

/**
 * One JSON logger per process; child loggers carry event and correlation ids, and every line
 * written inside a trace (an HTTP request with a `traceparent`, a consumed event) carries its
 * `traceId` and `spanId`.
 */
export function createLogger(service: string, level: LogLevel): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: traceLogFields,
  });
}

/** Routes Nest's own log lines into the pino logger so the whole service logs JSON. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }

  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }

  fatal(message: unknown, context?: string): void {
    this.logger.fatal({ context }, String(message));
  }
}

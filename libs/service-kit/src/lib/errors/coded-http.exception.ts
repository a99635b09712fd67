import { HttpException, type HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  reason: string;
}

/**
 * Base of every feature's typed exception: the answer is always
 * `{statusCode, code, message, errors?}`, the code a member of the feature's `XExceptionCode`
 * enum and the status looked up from the feature's table, so a code never has two statuses.
 * `retryAfterSeconds`, for a 429 or 503 the client should retry, is sent as `Retry-After` by
 * every service's exception filter (`ServiceExceptionFilter`).
 */
export abstract class CodedHttpException<TCode extends string> extends HttpException {
  protected constructor(
    statusByCode: Record<TCode, HttpStatus>,
    readonly code: TCode,
    message: string,
    readonly errors?: FieldError[],
    extra?: Record<string, unknown>,
    readonly retryAfterSeconds?: number,
  ) {
    const status = statusByCode[code];
    super({ statusCode: status, code, message, ...(errors ? { errors } : {}), ...extra }, status);
  }
}

import { HttpStatus } from '@nestjs/common';
import { CodedHttpException, type FieldError } from '@vigie/service-kit';

export enum NoticeExceptionCode {
  INVALID_NOTICE = 'INVALID_NOTICE',
  LOCATION_NOT_FOUND = 'LOCATION_NOT_FOUND',
  INVALID_API_KEY = 'INVALID_API_KEY',
  ROLE_NOT_ALLOWED = 'ROLE_NOT_ALLOWED',
  RATE_LIMITED = 'RATE_LIMITED',
  AUTH_UNAVAILABLE = 'AUTH_UNAVAILABLE',
  /** Too many notices are waiting to be written (the database is slow or away): retry shortly. */
  BUSY = 'BUSY',
}

const statusByCode: Record<NoticeExceptionCode, HttpStatus> = {
  [NoticeExceptionCode.INVALID_NOTICE]: HttpStatus.BAD_REQUEST,
  [NoticeExceptionCode.LOCATION_NOT_FOUND]: HttpStatus.UNPROCESSABLE_ENTITY,
  [NoticeExceptionCode.INVALID_API_KEY]: HttpStatus.UNAUTHORIZED,
  [NoticeExceptionCode.ROLE_NOT_ALLOWED]: HttpStatus.FORBIDDEN,
  [NoticeExceptionCode.RATE_LIMITED]: HttpStatus.TOO_MANY_REQUESTS,
  [NoticeExceptionCode.AUTH_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [NoticeExceptionCode.BUSY]: HttpStatus.SERVICE_UNAVAILABLE,
};

export class NoticeException extends CodedHttpException<NoticeExceptionCode> {
  constructor(code: NoticeExceptionCode, message: string, errors?: FieldError[], extra?: Record<string, unknown>, retryAfterSeconds?: number) {
    super(statusByCode, code, message, errors, extra, retryAfterSeconds);
  }
}

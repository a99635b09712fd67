import { HttpStatus } from '@nestjs/common';
import { CodedHttpException } from '@vigie/service-kit';

export enum AdIntakeExceptionCode {
  NOT_AN_ARRAY = 'NOT_AN_ARRAY',
  WRONG_CONTENT_TYPE = 'WRONG_CONTENT_TYPE',
  BATCH_TOO_LARGE = 'BATCH_TOO_LARGE',
  EMPTY_BATCH = 'EMPTY_BATCH',
  INVALID_REMOVAL = 'INVALID_REMOVAL',
  AD_NOT_FOUND = 'AD_NOT_FOUND',
  TOO_MANY_CONCURRENT_REQUESTS = 'TOO_MANY_CONCURRENT_REQUESTS',
  BROKER_UNAVAILABLE = 'BROKER_UNAVAILABLE',
  /** The database is away or kept colliding: an NDJSON import says where to resume. */
  DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE',
  /** An NDJSON upload sent nothing for a minute; the answer says where to resume. */
  UPLOAD_IDLE = 'UPLOAD_IDLE',
}

const statusByCode: Record<AdIntakeExceptionCode, HttpStatus> = {
  [AdIntakeExceptionCode.NOT_AN_ARRAY]: HttpStatus.BAD_REQUEST,
  [AdIntakeExceptionCode.WRONG_CONTENT_TYPE]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [AdIntakeExceptionCode.BATCH_TOO_LARGE]: HttpStatus.PAYLOAD_TOO_LARGE,
  [AdIntakeExceptionCode.EMPTY_BATCH]: HttpStatus.BAD_REQUEST,
  [AdIntakeExceptionCode.INVALID_REMOVAL]: HttpStatus.BAD_REQUEST,
  [AdIntakeExceptionCode.AD_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [AdIntakeExceptionCode.TOO_MANY_CONCURRENT_REQUESTS]: HttpStatus.TOO_MANY_REQUESTS,
  [AdIntakeExceptionCode.BROKER_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [AdIntakeExceptionCode.DATABASE_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [AdIntakeExceptionCode.UPLOAD_IDLE]: HttpStatus.REQUEST_TIMEOUT,
};

export class AdIntakeException extends CodedHttpException<AdIntakeExceptionCode> {
  constructor(
    code: AdIntakeExceptionCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** Sent as `Retry-After` (seconds) for 429 and 503. */
    retryAfterSeconds?: number,
  ) {
    super(statusByCode, code, message, undefined, details, retryAfterSeconds);
  }
}

import { HttpStatus } from '@nestjs/common';
import { CodedHttpException } from '@vigie/service-kit';

export enum VerificationExceptionCode {
  CASE_NOT_FOUND = 'CASE_NOT_FOUND',
  NO_CHECKPOINT = 'NO_CHECKPOINT',
  LOG_TOO_LARGE = 'LOG_TOO_LARGE',
  /** Evidence bundles are already being built for others: retry shortly. */
  BUSY = 'BUSY',
}

const statusByCode: Record<VerificationExceptionCode, HttpStatus> = {
  [VerificationExceptionCode.CASE_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [VerificationExceptionCode.NO_CHECKPOINT]: HttpStatus.SERVICE_UNAVAILABLE,
  // Not the caller's fault, and asking again will not help: the answer names the CLI.
  [VerificationExceptionCode.LOG_TOO_LARGE]: HttpStatus.SERVICE_UNAVAILABLE,
  [VerificationExceptionCode.BUSY]: HttpStatus.SERVICE_UNAVAILABLE,
};

export class VerificationException extends CodedHttpException<VerificationExceptionCode> {
  constructor(code: VerificationExceptionCode, message: string, retryAfterSeconds?: number) {
    super(statusByCode, code, message, undefined, undefined, retryAfterSeconds);
  }
}

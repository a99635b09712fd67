import { HttpStatus } from '@nestjs/common';
import { CodedHttpException } from '@vigie/service-kit';

export enum VerificationExceptionCode {
  CASE_NOT_FOUND = 'CASE_NOT_FOUND',
  NO_CHECKPOINT = 'NO_CHECKPOINT',
}

const statusByCode: Record<VerificationExceptionCode, HttpStatus> = {
  [VerificationExceptionCode.CASE_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [VerificationExceptionCode.NO_CHECKPOINT]: HttpStatus.SERVICE_UNAVAILABLE,
};

export class VerificationException extends CodedHttpException<VerificationExceptionCode> {
  constructor(code: VerificationExceptionCode, message: string) {
    super(statusByCode, code, message);
  }
}

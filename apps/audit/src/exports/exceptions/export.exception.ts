import { HttpStatus } from '@nestjs/common';
import { CodedHttpException, type FieldError } from '@vigie/service-kit';

export enum ExportExceptionCode {
  INVALID_REQUEST = 'INVALID_REQUEST',
  /** More statements than one answer carries: ask for a shorter period. */
  PERIOD_TOO_LARGE = 'PERIOD_TOO_LARGE',
}

const STATUS: Record<ExportExceptionCode, HttpStatus> = {
  [ExportExceptionCode.INVALID_REQUEST]: HttpStatus.BAD_REQUEST,
  [ExportExceptionCode.PERIOD_TOO_LARGE]: HttpStatus.UNPROCESSABLE_ENTITY,
};

export class ExportException extends CodedHttpException<ExportExceptionCode> {
  constructor(code: ExportExceptionCode, message: string, errors?: FieldError[]) {
    super(STATUS, code, message, errors);
  }
}

import { HttpStatus } from '@nestjs/common';
import { CodedHttpException, type FieldError } from '@vigie/service-kit';

export enum ExportExceptionCode {
  INVALID_REQUEST = 'INVALID_REQUEST',
}

const STATUS: Record<ExportExceptionCode, HttpStatus> = {
  [ExportExceptionCode.INVALID_REQUEST]: HttpStatus.BAD_REQUEST,
};

export class ExportException extends CodedHttpException<ExportExceptionCode> {
  constructor(code: ExportExceptionCode, message: string, errors?: FieldError[]) {
    super(STATUS, code, message, errors);
  }
}

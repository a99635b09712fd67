import { HttpStatus } from '@nestjs/common';
import { CodedHttpException, type FieldError } from '@vigie/service-kit';

export enum ReportExceptionCode {
  INVALID_QUERY = 'INVALID_QUERY',
  CASE_NOT_FOUND = 'CASE_NOT_FOUND',
  PLATFORM_NOT_FOUND = 'PLATFORM_NOT_FOUND',
}

const STATUS: Record<ReportExceptionCode, HttpStatus> = {
  [ReportExceptionCode.INVALID_QUERY]: HttpStatus.BAD_REQUEST,
  [ReportExceptionCode.CASE_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ReportExceptionCode.PLATFORM_NOT_FOUND]: HttpStatus.NOT_FOUND,
};

export class ReportException extends CodedHttpException<ReportExceptionCode> {
  constructor(code: ReportExceptionCode, message: string, errors?: FieldError[]) {
    super(STATUS, code, message, errors);
  }
}

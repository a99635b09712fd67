import { HttpStatus } from '@nestjs/common';
import { CodedHttpException, type FieldError } from '@vigie/service-kit';

export enum HistoryImportExceptionCode {
  INVALID_REQUEST = 'INVALID_REQUEST',
  WRONG_CONTENT_TYPE = 'WRONG_CONTENT_TYPE',
  INVALID_HEADER = 'INVALID_HEADER',
  PLATFORM_NOT_FOUND = 'PLATFORM_NOT_FOUND',
  IMPORT_NOT_FOUND = 'IMPORT_NOT_FOUND',
  UNAVAILABLE = 'UNAVAILABLE',
}

const STATUS: Record<HistoryImportExceptionCode, HttpStatus> = {
  [HistoryImportExceptionCode.INVALID_REQUEST]: HttpStatus.BAD_REQUEST,
  [HistoryImportExceptionCode.WRONG_CONTENT_TYPE]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [HistoryImportExceptionCode.INVALID_HEADER]: HttpStatus.BAD_REQUEST,
  [HistoryImportExceptionCode.PLATFORM_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [HistoryImportExceptionCode.IMPORT_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [HistoryImportExceptionCode.UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
};

export class HistoryImportException extends CodedHttpException<HistoryImportExceptionCode> {
  constructor(code: HistoryImportExceptionCode, message: string, errors?: FieldError[], extra?: { importId: string }) {
    super(STATUS, code, message, errors, extra);
  }
}

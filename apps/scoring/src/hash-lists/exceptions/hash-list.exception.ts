import { HttpStatus } from '@nestjs/common';
import { CodedHttpException } from '@vigie/service-kit';

export enum HashListExceptionCode {
  LIST_NOT_FOUND = 'LIST_NOT_FOUND',
}

const statusByCode: Record<HashListExceptionCode, HttpStatus> = {
  [HashListExceptionCode.LIST_NOT_FOUND]: HttpStatus.NOT_FOUND,
};

export class HashListException extends CodedHttpException<HashListExceptionCode> {
  constructor(code: HashListExceptionCode, message: string) {
    super(statusByCode, code, message);
  }
}

import { HttpStatus } from '@nestjs/common';
import { CodedHttpException, type FieldError } from '@vigie/service-kit';

export enum CaseExceptionCode {
  CASE_NOT_FOUND = 'CASE_NOT_FOUND',
  NOTICE_NOT_FOUND = 'NOTICE_NOT_FOUND',
  APPEAL_NOT_FOUND = 'APPEAL_NOT_FOUND',
  CLAIMED_BY_ANOTHER = 'CLAIMED_BY_ANOTHER',
  CLAIM_REQUIRED = 'CLAIM_REQUIRED',
  CASE_NOT_OPEN = 'CASE_NOT_OPEN',
  QUEUE_EMPTY = 'QUEUE_EMPTY',
  ALREADY_JUDGED = 'ALREADY_JUDGED',
  ALREADY_PAUSED = 'ALREADY_PAUSED',
  NOT_PAUSED = 'NOT_PAUSED',
  INVALID_DECISION = 'INVALID_DECISION',
  NO_DECISION = 'NO_DECISION',
  APPEAL_WINDOW_CLOSED = 'APPEAL_WINDOW_CLOSED',
  APPEAL_PENDING = 'APPEAL_PENDING',
  SAME_MODERATOR = 'SAME_MODERATOR',
  NO_REFERRAL = 'NO_REFERRAL',
}

const statusByCode: Record<CaseExceptionCode, HttpStatus> = {
  [CaseExceptionCode.CASE_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [CaseExceptionCode.NOTICE_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [CaseExceptionCode.APPEAL_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [CaseExceptionCode.CLAIMED_BY_ANOTHER]: HttpStatus.CONFLICT,
  [CaseExceptionCode.CLAIM_REQUIRED]: HttpStatus.CONFLICT,
  [CaseExceptionCode.CASE_NOT_OPEN]: HttpStatus.CONFLICT,
  [CaseExceptionCode.QUEUE_EMPTY]: HttpStatus.NOT_FOUND,
  [CaseExceptionCode.ALREADY_JUDGED]: HttpStatus.CONFLICT,
  [CaseExceptionCode.ALREADY_PAUSED]: HttpStatus.CONFLICT,
  [CaseExceptionCode.NOT_PAUSED]: HttpStatus.CONFLICT,
  [CaseExceptionCode.INVALID_DECISION]: HttpStatus.BAD_REQUEST,
  [CaseExceptionCode.NO_DECISION]: HttpStatus.CONFLICT,
  [CaseExceptionCode.APPEAL_WINDOW_CLOSED]: HttpStatus.UNPROCESSABLE_ENTITY,
  [CaseExceptionCode.APPEAL_PENDING]: HttpStatus.CONFLICT,
  [CaseExceptionCode.SAME_MODERATOR]: HttpStatus.CONFLICT,
  [CaseExceptionCode.NO_REFERRAL]: HttpStatus.NOT_FOUND,
};

export class CaseException extends CodedHttpException<CaseExceptionCode> {
  constructor(code: CaseExceptionCode, message: string, errors?: FieldError[]) {
    super(statusByCode, code, message, errors);
  }
}

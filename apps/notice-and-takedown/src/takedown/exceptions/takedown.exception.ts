import { HttpException, HttpStatus } from '@nestjs/common';

export enum TakedownExceptionCode {
  INVALID_REQUEST = 'INVALID_REQUEST',
  COMMAND_NOT_FOUND = 'COMMAND_NOT_FOUND',
  ACTION_MISMATCH = 'ACTION_MISMATCH',
  PLATFORM_NOT_FOUND = 'PLATFORM_NOT_FOUND',
  DELIVERY_TARGET_UNAVAILABLE = 'DELIVERY_TARGET_UNAVAILABLE',
  SERVICE_KEY_NOT_CONFIGURED = 'SERVICE_KEY_NOT_CONFIGURED',
}

const statusByCode: Record<TakedownExceptionCode, HttpStatus> = {
  [TakedownExceptionCode.INVALID_REQUEST]: HttpStatus.BAD_REQUEST,
  [TakedownExceptionCode.COMMAND_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [TakedownExceptionCode.ACTION_MISMATCH]: HttpStatus.CONFLICT,
  [TakedownExceptionCode.PLATFORM_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [TakedownExceptionCode.DELIVERY_TARGET_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [TakedownExceptionCode.SERVICE_KEY_NOT_CONFIGURED]: HttpStatus.SERVICE_UNAVAILABLE,
};

export interface FieldError {
  field: string;
  reason: string;
}

export class TakedownException extends HttpException {
  constructor(
    readonly code: TakedownExceptionCode,
    message: string,
    readonly errors?: FieldError[],
  ) {
    const status = statusByCode[code];
    super({ statusCode: status, code, message, ...(errors ? { errors } : {}) }, status);
  }
}

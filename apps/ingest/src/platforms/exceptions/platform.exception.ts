import { HttpStatus } from '@nestjs/common';
import { CodedHttpException, type FieldError } from '@vigie/service-kit';

export enum PlatformExceptionCode {
  MISSING_API_KEY = 'MISSING_API_KEY',
  INVALID_API_KEY = 'INVALID_API_KEY',
  ROLE_NOT_ALLOWED = 'ROLE_NOT_ALLOWED',
  OTHER_PLATFORM = 'OTHER_PLATFORM',
  PLATFORM_NOT_FOUND = 'PLATFORM_NOT_FOUND',
  PLATFORM_ALREADY_EXISTS = 'PLATFORM_ALREADY_EXISTS',
  API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
  INVALID_REQUEST = 'INVALID_REQUEST',
  SECRETS_KEY_NOT_CONFIGURED = 'SECRETS_KEY_NOT_CONFIGURED',
}

const statusByCode: Record<PlatformExceptionCode, HttpStatus> = {
  [PlatformExceptionCode.MISSING_API_KEY]: HttpStatus.UNAUTHORIZED,
  [PlatformExceptionCode.INVALID_API_KEY]: HttpStatus.UNAUTHORIZED,
  [PlatformExceptionCode.ROLE_NOT_ALLOWED]: HttpStatus.FORBIDDEN,
  [PlatformExceptionCode.OTHER_PLATFORM]: HttpStatus.FORBIDDEN,
  [PlatformExceptionCode.PLATFORM_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [PlatformExceptionCode.PLATFORM_ALREADY_EXISTS]: HttpStatus.CONFLICT,
  [PlatformExceptionCode.API_KEY_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [PlatformExceptionCode.INVALID_REQUEST]: HttpStatus.BAD_REQUEST,
  [PlatformExceptionCode.SECRETS_KEY_NOT_CONFIGURED]: HttpStatus.SERVICE_UNAVAILABLE,
};

export class PlatformException extends CodedHttpException<PlatformExceptionCode> {
  constructor(code: PlatformExceptionCode, message: string, errors?: FieldError[]) {
    super(statusByCode, code, message, errors);
  }
}

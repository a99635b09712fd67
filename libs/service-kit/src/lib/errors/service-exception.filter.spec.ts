import { type ArgumentsHost, HttpStatus, type HttpServer } from '@nestjs/common';
import { CodedHttpException } from './coded-http.exception';
import { DATABASE_RETRY_AFTER_SECONDS, ServiceExceptionFilter } from './service-exception.filter';

describe('ServiceExceptionFilter', () => {
  class TestException extends CodedHttpException<'BUSY' | 'BAD'> {
    constructor(code: 'BUSY' | 'BAD', retryAfterSeconds?: number) {
      super({ BUSY: HttpStatus.SERVICE_UNAVAILABLE, BAD: HttpStatus.BAD_REQUEST }, code, code.toLowerCase(), undefined, undefined, retryAfterSeconds);
    }
  }

  /** The reply a request would get, through a fake HTTP adapter and host. */
  function answer(exception: unknown) {
    const headers: Record<string, string> = {};
    const sent: { status?: number; body?: unknown } = {};
    const reply = {
      header: (name: string, value: string) => ((headers[name] = value), reply),
      status: (status: number) => ((sent.status = status), reply),
      send: (body: unknown) => ((sent.body = body), reply),
    };
    const adapter = { reply: (_reply: unknown, body: unknown, status: number) => Object.assign(sent, { body, status }), isHeadersSent: () => false };
    const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => reply }), getArgByIndex: (i: number) => (i === 1 ? reply : undefined) };
    new ServiceExceptionFilter(adapter as unknown as HttpServer).catch(exception, host as unknown as ArgumentsHost);
    return { headers, ...sent };
  }

  it('sends Retry-After for a feature exception that says when to retry, with its own status and body', () => {
    expect(answer(new TestException('BUSY', 5))).toMatchObject({ status: 503, headers: { 'retry-after': '5' }, body: { code: 'BUSY' } });
    expect(answer(new TestException('BAD'))).toMatchObject({ status: 400, headers: {}, body: { code: 'BAD' } });
  });

  it('answers 503 DATABASE_UNAVAILABLE for a database that is away', () => {
    const answered = answer(new Error('Connection terminated unexpectedly'));
    expect(answered).toMatchObject({ status: 503, headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) }, body: { code: 'DATABASE_UNAVAILABLE' } });
  });
});

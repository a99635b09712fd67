import { parseTraceparent, runInSpanContext } from '@vigie/messaging';
import { createLogger } from './logger';

describe('createLogger', () => {
  it('adds traceId and spanId to lines written inside a trace, and nothing outside one', () => {
    const lines: Record<string, unknown>[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      return true;
    });
    try {
      const logger = createLogger('test', 'info');
      logger.info({ kafka: { broker: 'b' } }, 'outside');
      const trace = parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
      runInSpanContext(trace, () => logger.info({ eventId: 'e' }, 'inside'));
      logger.child({ eventId: 'x' }).warn('outside again');
    } finally {
      write.mockRestore();
    }
    expect(lines.map(({ msg, traceId, spanId }) => ({ msg, traceId, spanId }))).toEqual([
      { msg: 'outside', traceId: undefined, spanId: undefined },
      { msg: 'inside', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' },
      { msg: 'outside again', traceId: undefined, spanId: undefined },
    ]);
    expect(lines[0].kafka).toEqual({ broker: 'b' });
  });
});

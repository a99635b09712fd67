import type { DataSource } from 'typeorm';
import { LogVerification } from './log-verification.service';

/** A database with an empty log whose first query waits until released. */
function slowEmptyLog() {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let walks = 0;
  const query = jest.fn(async (sql: string) => {
    if (sql.includes('count(*)')) {
      walks++;
      await gate;
      return [{ total: '0' }];
    }
    return [];
  });
  return { dataSource: { query } as unknown as DataSource, release: () => release(), walks: () => walks };
}

describe('LogVerification', () => {
  it('gives callers who ask during a walk that walk’s report', async () => {
    const log = slowEmptyLog();
    const verification = new LogVerification(log.dataSource);
    const first = verification.verify();
    const second = verification.verify();
    expect(second).toBe(first);
    log.release();
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(a.ok).toBe(true);
    expect(log.walks()).toBe(1);
  });

  it('walks again once the previous walk has ended, even if it failed', async () => {
    const query = jest.fn(async (sql: string) => (sql.includes('count(*)') ? [{ total: '0' }] : []));
    query.mockRejectedValueOnce(new Error('connection lost'));
    const verification = new LogVerification({ query } as unknown as DataSource);
    const failed = verification.verify();
    await expect(failed).rejects.toThrow('connection lost');
    const next = verification.verify();
    expect(next).not.toBe(failed);
    const report = await next;
    expect(report).toMatchObject({ ok: true, records: 0 });
    expect(Date.parse(report.startedAt)).toBeLessThanOrEqual(Date.now());
    const after = verification.verify();
    expect(after).not.toBe(next);
    await after;
  });
});

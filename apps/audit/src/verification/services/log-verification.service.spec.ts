import type { DataSource } from 'typeorm';
import type { AuditSettings } from '../../audit.settings';
import { LogVerification } from './log-verification.service';
import type { VerificationReport } from './log-verifier';

const report = (): VerificationReport => ({
  ok: true,
  records: 0,
  subjects: 0,
  findingCount: 0,
  findings: [],
  checkpoints: [],
  startedAt: new Date().toISOString(),
  durationMs: 0,
  recordsPerSec: 0,
});

/** The service with its thread replaced by walks that end when the spec says. */
class GatedVerification extends LogVerification {
  readonly walks: { resolve: (r: VerificationReport) => void; reject: (e: Error) => void }[] = [];

  constructor() {
    super({ options: { url: 'postgres://unused' } } as unknown as DataSource, { verifyHeapMb: 64 } as AuditSettings);
  }

  protected override walk(): Promise<VerificationReport> {
    return new Promise((resolve, reject) => this.walks.push({ resolve, reject }));
  }
}

describe('LogVerification', () => {
  it('gives callers who ask during a walk that walk’s report', async () => {
    const verification = new GatedVerification();
    const first = verification.verify();
    const second = verification.verify();
    expect(second).toBe(first);
    verification.walks[0].resolve(report());
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(verification.walks).toHaveLength(1);
  });

  it('walks again once the previous walk has ended, even if it failed', async () => {
    const verification = new GatedVerification();
    const failed = verification.verify();
    verification.walks[0].reject(new Error('connection lost'));
    await expect(failed).rejects.toThrow('connection lost');
    const next = verification.verify();
    expect(next).not.toBe(failed);
    verification.walks[1].resolve(report());
    await expect(next).resolves.toMatchObject({ ok: true });
    const after = verification.verify();
    expect(after).not.toBe(next);
    expect(verification.walks).toHaveLength(3);
    verification.walks[2].resolve(report());
    await after;
  });
});

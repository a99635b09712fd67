import { decodeSubmissionPosition, encodeSubmissionPosition, SubmissionTally, type BatchReport } from './tdb-submission.service';

const batch = (outcome: BatchReport['outcome'], size: number, extra: Partial<BatchReport> = {}): BatchReport => ({
  platformId: 'acme',
  puids: Array.from({ length: size }, (_, i) => `p-${i}`),
  outcome,
  status: outcome === 'failed' ? null : 201,
  attempts: 1,
  ...extra,
});

describe('SubmissionTally', () => {
  it('keeps every refused and failed batch but only the first accepted ones, with exact counts', () => {
    const tally = new SubmissionTally(2);
    tally.add(batch('accepted', 100));
    tally.add(batch('rejected', 3, { status: 422, answer: { message: 'invalid' } }));
    tally.add(batch('accepted', 100));
    tally.add(batch('accepted', 100));
    tally.add(batch('accepted', 7, { alreadyPresent: true }));
    tally.add(batch('failed', 40));
    tally.add(batch('rejected', 1, { status: 422 }));

    expect(tally).toMatchObject({ submitted: 300, alreadyPresent: 7, rejected: 4, failed: 40, acceptedBatchesOmitted: 2 });
    expect(tally.batches.map((b) => `${b.outcome}:${b.puids.length}`)).toEqual(['accepted:100', 'rejected:3', 'accepted:100', 'failed:40', 'rejected:1']);
  });
});

describe('submission positions', () => {
  const position = { informedAt: '2026-03-01T08:00:00.123456Z', tenant: 'acme', puid: 'sor-42' };

  it('come back as they were given', () => {
    expect(decodeSubmissionPosition(encodeSubmissionPosition(position))).toEqual(position);
  });

  it('refuse anything this service did not write', () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    expect(decodeSubmissionPosition('')).toBeNull();
    expect(decodeSubmissionPosition('not a position!')).toBeNull();
    expect(decodeSubmissionPosition(encode({ informedAt: position.informedAt }))).toBeNull();
    expect(decodeSubmissionPosition(encode(['2026-03-01', 'acme', 'sor-42']))).toBeNull();
    expect(decodeSubmissionPosition(encode([position.informedAt, '', 'sor-42']))).toBeNull();
    expect(decodeSubmissionPosition(encode([position.informedAt, 'acme', 42]))).toBeNull();
    expect(decodeSubmissionPosition('x'.repeat(5000))).toBeNull();
  });
});

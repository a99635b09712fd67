import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { AuditSettings } from '../audit.settings';
import { auditMigrations } from '../migrations';
import { VerificationException, VerificationExceptionCode } from './exceptions/verification.exception';
import { LogVerification } from './services/log-verification.service';

/**
 * `POST /admin/verify`'s walk runs in a worker thread with a heap of its own (the tamper specs
 * check what it finds, over HTTP). Here: a log with more chains than that heap holds ends the
 * walk with LOG_TOO_LARGE, not the process.
 */
describe('LogVerification thread against the real database', () => {
  const database = `vigie_verify_thread_${randomBytes(4).toString('hex')}`;
  let admin: Client;
  let dataSource: DataSource;

  beforeAll(async () => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set: run the integration specs through npm test');
    admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const own = new URL(url);
    own.pathname = `/${database}`;
    dataSource = new DataSource({ type: 'postgres', url: own.toString(), migrations: auditMigrations, extra: { max: 2 } });
    await dataSource.initialize();
    await dataSource.query('CREATE SCHEMA audit');
    await dataSource.runMigrations({ transaction: 'all' });
    // 400,000 one-record chains: a walk keeps a state per chain (about 250 bytes), far more
    // than a 64 MB heap holds. The records are not real chains: this spec is about memory.
    await dataSource.query(
      `INSERT INTO audit.log (event_id, subject, tenant, type, seq, correlation_id, canonical, prev_hash, hash,
                              occurred_at, broker_at, recorded_at, topic, kafka_partition, kafka_offset)
       SELECT gen_random_uuid(), 'p' || (g % 4) || ':ad-' || g, 'p' || (g % 4), 'ad.ingested', 1, NULL, '{}', repeat('0', 64), repeat('0', 64),
              now(), now(), now(), 'ads.ingested.v1', 0, g
         FROM generate_series(1, 400000) g`,
    );
  }, 300_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  });

  it('answers LOG_TOO_LARGE when the chains outgrow the thread heap, and stays up', async () => {
    const verification = new LogVerification(dataSource, { verifyHeapMb: 64 } as AuditSettings);
    const failure = await verification.verify().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(VerificationException);
    expect((failure as VerificationException).getResponse()).toMatchObject({ code: VerificationExceptionCode.LOG_TOO_LARGE, statusCode: 503 });
    // The walk ended with its thread; this process and its own connections carry on.
    expect(await dataSource.query('SELECT count(*)::int AS n FROM audit.log')).toEqual([{ n: 400_000 }]);
  }, 300_000);
});

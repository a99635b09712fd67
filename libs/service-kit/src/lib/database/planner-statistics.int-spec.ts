import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PlannerStatisticsKeeper } from './planner-statistics';

const quietLogger = { warn: () => undefined, debug: () => undefined, error: () => undefined };

describe('PlannerStatisticsKeeper against the real database', () => {
  const schema = `stats_${randomBytes(4).toString('hex')}`;
  let db: DataSource;

  beforeAll(async () => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set: run the integration specs through npm test');
    db = new DataSource({ type: 'postgres', url, extra: { max: 2 } });
    await db.initialize();
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(`CREATE TABLE ${schema}.grown (id int PRIMARY KEY, key text NOT NULL)`);
    await db.query(`CREATE TABLE ${schema}.untouched (id int PRIMARY KEY)`);
    await db.query(`INSERT INTO ${schema}.grown SELECT g, 'k' || (g % 100) FROM generate_series(1, 5000) g`);
  });

  afterAll(async () => {
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.destroy();
  });

  const lastAnalyzed = async (table: string): Promise<Date | null> =>
    (await db.query(`SELECT last_analyze FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2`, [schema, table]))[0]?.last_analyze ?? null;

  it('analyzes the tables that grew, once, and leaves the others', async () => {
    const keeper = new PlannerStatisticsKeeper(db, schema, quietLogger);
    // Backends report their writes to the statistics system at most once a second.
    let analyzed: string[] = [];
    for (const deadline = Date.now() + 15_000; analyzed.length === 0 && Date.now() < deadline; ) {
      analyzed = await keeper.sweep();
      if (analyzed.length === 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(analyzed).toEqual([`${schema}.grown`]);
    expect(await lastAnalyzed('grown')).toBeInstanceOf(Date);
    expect(await lastAnalyzed('untouched')).toBeNull();
    const [{ n_distinct }] = await db.query(`SELECT n_distinct FROM pg_stats WHERE schemaname = $1 AND tablename = 'grown' AND attname = 'key'`, [schema]);
    expect(Number(n_distinct)).toBe(100);
    expect(await keeper.sweep()).toEqual([]);
  });

  it('starts its sweeps only when autovacuum is off, and stops cleanly', async () => {
    const keeper = new PlannerStatisticsKeeper(db, schema, quietLogger, { intervalMs: 50 });
    const [{ autovacuum }] = await db.query('SHOW autovacuum');
    expect(await keeper.start()).toBe(autovacuum === 'off');
    await keeper.stop();
  });
});

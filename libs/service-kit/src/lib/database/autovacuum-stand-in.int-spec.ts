import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AutovacuumStandIn, type SweepResult } from './autovacuum-stand-in';

const quietLogger = { warn: () => undefined, debug: () => undefined, error: () => undefined };

describe('AutovacuumStandIn against the real database', () => {
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

  const maintenance = async (table: string): Promise<{ last_vacuum: Date | null; last_analyze: Date | null } | undefined> =>
    (await db.query(`SELECT last_vacuum, last_analyze FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2`, [schema, table]))[0];

  /** Sweeps until one finds work: backends report their writes to the statistics system at most once a second. */
  const firstSweepWithWork = async (keeper: AutovacuumStandIn): Promise<SweepResult> => {
    for (const deadline = Date.now() + 15_000; ; await new Promise((resolve) => setTimeout(resolve, 250))) {
      const swept = await keeper.sweep();
      if (swept.vacuumed.length + swept.analyzed.length > 0 || Date.now() > deadline) return swept;
    }
  };

  /** Heap rows an index-only count of the table had to read (0 once every page is all-visible). */
  const heapFetches = async (): Promise<number> =>
    db.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_seqscan = off');
      await manager.query('SET LOCAL enable_bitmapscan = off');
      const [{ 'QUERY PLAN': plan }] = await manager.query(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM ${schema}.grown WHERE id > 0`);
      const find = (node: Record<string, unknown>): number | undefined =>
        node['Node Type'] === 'Index Only Scan'
          ? Number(node['Heap Fetches'])
          : ((node.Plans as Record<string, unknown>[] | undefined) ?? []).map(find).find((n) => n !== undefined);
      const fetches = find(plan[0].Plan);
      if (fetches === undefined) throw new Error(`no index-only scan in ${JSON.stringify(plan)}`);
      return fetches;
    });

  it('vacuums and analyzes the tables that grew, once, and leaves the others', async () => {
    const keeper = new AutovacuumStandIn(db, schema, quietLogger);
    expect(await heapFetches()).toBe(5000);
    const swept = await firstSweepWithWork(keeper);
    expect(swept).toEqual({ vacuumed: [`${schema}.grown`], analyzed: [`${schema}.grown`] });
    expect(await maintenance('grown')).toEqual({ last_vacuum: expect.any(Date), last_analyze: expect.any(Date) });
    expect(await maintenance('untouched')).toEqual({ last_vacuum: null, last_analyze: null });
    const [{ n_distinct }] = await db.query(`SELECT n_distinct FROM pg_stats WHERE schemaname = $1 AND tablename = 'grown' AND attname = 'key'`, [schema]);
    expect(Number(n_distinct)).toBe(100);
    expect(await heapFetches()).toBe(0);
    expect(await keeper.sweep()).toEqual({ vacuumed: [], analyzed: [] });
  });

  it('vacuums a table whose rows were rewritten, which makes its pages all-visible again', async () => {
    const keeper = new AutovacuumStandIn(db, schema, quietLogger);
    // 1,100 of 5,000 rows rewritten: more dead rows than 50 + 20 % of 5,000 (1,050).
    await db.query(`UPDATE ${schema}.grown SET key = key WHERE id <= 1100`);
    expect(await heapFetches()).toBeGreaterThan(0);
    const swept = await firstSweepWithWork(keeper);
    // And more modified rows than 50 + 10 % of 5,000 (550): analyzed in the same command.
    expect(swept).toEqual({ vacuumed: [`${schema}.grown`], analyzed: [`${schema}.grown`] });
    expect(await heapFetches()).toBe(0);
  });

  it('cancels a vacuum under way when stopped, instead of waiting minutes for it', async () => {
    await db.query(`CREATE TABLE ${schema}.large (id int PRIMARY KEY)`);
    await db.query(`INSERT INTO ${schema}.large SELECT generate_series(1, 200000)`);
    const errors: unknown[] = [];
    // Throttled hard: at one page per 100 ms this vacuum would take minutes.
    const keeper = new AutovacuumStandIn(db, schema, { ...quietLogger, error: (...args: unknown[]) => errors.push(args) }, { intervalMs: 50, throttle: { costDelayMs: 100, costLimit: 1 } });
    const running = async () =>
      Number((await db.query(`SELECT count(*) AS n FROM pg_stat_progress_vacuum WHERE relid = '${schema}.large'::regclass`))[0].n);
    const [{ autovacuum }] = await db.query('SHOW autovacuum');
    if (autovacuum === 'on') return; // autovacuum's own business then; the stand-in does not start
    expect(await keeper.start()).toBe(true);
    for (const deadline = Date.now() + 15_000; (await running()) === 0; await new Promise((resolve) => setTimeout(resolve, 100))) {
      if (Date.now() > deadline) throw new Error('the stand-in never started vacuuming the large table');
    }
    const stopping = Date.now();
    await keeper.stop();
    expect(Date.now() - stopping).toBeLessThan(5_000);
    expect(await running()).toBe(0);
    expect(errors).toEqual([]);
    // Both pooled connections (held at once) are back to the server's own throttle.
    const sources = await Promise.all(
      [0, 1].map(async () => (await db.query(`SELECT source, pg_sleep(0.1) FROM pg_settings WHERE name = 'vacuum_cost_delay'`))[0].source),
    );
    expect(sources).not.toContain('session');
  });

  it('starts its sweeps only when autovacuum is off, and stops cleanly', async () => {
    const keeper = new AutovacuumStandIn(db, schema, quietLogger, { intervalMs: 50 });
    const [{ autovacuum }] = await db.query('SHOW autovacuum');
    expect(await keeper.start()).toBe(autovacuum === 'off');
    await keeper.stop();
  });
});

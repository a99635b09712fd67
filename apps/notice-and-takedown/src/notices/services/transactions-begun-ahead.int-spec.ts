import { DataSource } from 'typeorm';
import { TransactionsBegunAhead } from './transactions-begun-ahead';

describe('TransactionsBegunAhead against a real database', () => {
  const schema = `tba_${Date.now().toString(36)}`;
  const dataSource = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, applicationName: schema });
  const idleInTransaction = async () =>
    Number(
      (await dataSource.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction'`, [schema]))[0].n,
    );

  beforeAll(async () => {
    await dataSource.initialize();
    await dataSource.query(`CREATE SCHEMA "${schema}"`);
    await dataSource.query(`CREATE TABLE "${schema}".t (v int PRIMARY KEY)`);
  });

  afterAll(async () => {
    await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
    await dataSource.destroy();
  });

  it('commits work, rolls back failed work, keeps the next transaction begun, and drops it once idle', async () => {
    const transactions = new TransactionsBegunAhead(dataSource, 300);
    await transactions.run((manager) => manager.query(`INSERT INTO "${schema}".t VALUES (1)`));
    // The spare for the next group is open (BEGIN sent, nothing done in it).
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await idleInTransaction()).toBe(1);

    await expect(
      transactions.run(async (manager) => {
        await manager.query(`INSERT INTO "${schema}".t VALUES (2)`);
        await manager.query(`INSERT INTO "${schema}".t VALUES (1)`);
      }),
    ).rejects.toThrow(/duplicate key/);
    await transactions.run((manager) => manager.query(`INSERT INTO "${schema}".t VALUES (3)`));
    expect((await dataSource.query(`SELECT v FROM "${schema}".t ORDER BY v`)).map((row: { v: number }) => row.v)).toEqual([1, 3]);

    // Unused, the spare is rolled back and its connection returned.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await idleInTransaction()).toBe(0);
    await transactions.dropSpare();
  });
});

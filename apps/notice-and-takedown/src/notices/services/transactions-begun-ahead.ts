import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/**
 * Transactions begun ahead of need, for a writer that runs one transaction after another (the
 * notice group committer). While one runs, the next one's connection and BEGIN are already
 * under way, so that round trip — a millisecond or more on a loaded machine, where the answer
 * waits for the event loop — overlaps the running group's statements instead of adding to the
 * next group's. A spare left unused for `idleMs` is rolled back and its connection returned
 * to the pool; a BEGIN holds no snapshot, so a spare blocks nothing while it waits.
 */
export class TransactionsBegunAhead {
  private spare: Promise<QueryRunner> | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly idleMs = 1000,
  ) {}

  /** Runs `work` in a transaction (the spare, when one is ready), beginning the next one meanwhile. */
  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = await this.take();
    this.beginSpare();
    try {
      const result = await work(runner.manager);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** Rolls back and releases the spare (at shutdown, or once it has waited `idleMs`). */
  async dropSpare(): Promise<void> {
    clearTimeout(this.idleTimer);
    const spare = this.spare;
    this.spare = undefined;
    const runner = await spare?.catch(() => undefined);
    if (!runner) return;
    await runner.rollbackTransaction().catch(() => undefined);
    await runner.release().catch(() => undefined);
  }

  private async take(): Promise<QueryRunner> {
    clearTimeout(this.idleTimer);
    const spare = this.spare;
    this.spare = undefined;
    // A spare that could not begin (the database was away) is replaced by a fresh one.
    return (await spare?.catch(() => undefined)) ?? this.begin();
  }

  private beginSpare(): void {
    const spare = this.begin();
    spare.catch(() => undefined);
    this.spare = spare;
    this.idleTimer = setTimeout(() => void this.dropSpare(), this.idleMs);
    this.idleTimer.unref();
  }

  private async begin(): Promise<QueryRunner> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      return runner;
    } catch (error) {
      await runner.release().catch(() => undefined);
      throw error;
    }
  }
}

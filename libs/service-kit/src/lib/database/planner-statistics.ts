import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

/** What Postgres counts of a table's writes since its statistics were last gathered. */
export interface TableActivity {
  /** Schema-qualified and quoted, ready for `ANALYZE`. */
  table: string;
  liveRows: number;
  modifiedSinceAnalyze: number;
}

/** Autovacuum's own defaults (`autovacuum_analyze_threshold`, `autovacuum_analyze_scale_factor`). */
export const ANALYZE_THRESHOLD = 50;
export const ANALYZE_SCALE_FACTOR = 0.1;

/** The tables autovacuum would analyze now: more rows written since the last time than 50 + 10 % of the table. */
export function tablesToAnalyze(tables: readonly TableActivity[]): string[] {
  return tables
    .filter((t) => t.modifiedSinceAnalyze > ANALYZE_THRESHOLD + ANALYZE_SCALE_FACTOR * t.liveRows)
    .map((t) => t.table)
    .sort();
}

export interface PlannerStatisticsOptions {
  /** How often the tables are looked at, as autovacuum's naptime (default 60 s). */
  intervalMs?: number;
}

/**
 * Keeps the planner statistics of a service's own tables fresh when the database runs without
 * autovacuum (some test and CI databases do). Without statistics Postgres guesses that a key
 * matches many rows, and lookups of a batch of keys become scans of the whole table, slower
 * with every row the service writes. When autovacuum is on this does nothing: it is
 * autovacuum's job, done better.
 */
export class PlannerStatisticsKeeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly logger: Pick<Logger, 'warn' | 'debug' | 'error'>,
    private readonly options: PlannerStatisticsOptions = {},
  ) {}

  /** Starts the periodic sweep if autovacuum is off; says whether it did. */
  async start(): Promise<boolean> {
    const [{ autovacuum }] = (await this.dataSource.query('SHOW autovacuum')) as { autovacuum: string }[];
    if (autovacuum === 'on') return false;
    this.logger.warn(
      { schema: this.schema, intervalMs: this.intervalMs },
      'autovacuum is off in this database: the service analyzes its own tables as they grow (enable autovacuum in production)',
    );
    this.schedule();
    return true;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** Analyzes the schema's tables that are due; returns their names. */
  async sweep(): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT quote_ident(schemaname) || '.' || quote_ident(relname) AS "table",
              n_live_tup::float8 AS "liveRows", n_mod_since_analyze::float8 AS "modifiedSinceAnalyze"
         FROM pg_stat_user_tables WHERE schemaname = $1`,
      [this.schema],
    )) as TableActivity[];
    const due = tablesToAnalyze(rows);
    // One table at a time: each ANALYZE reads a sample of its table and commits on its own.
    for (const table of due) await this.dataSource.query(`ANALYZE ${table}`);
    if (due.length > 0) this.logger.debug({ tables: due }, 'planner statistics refreshed');
    return due;
  }

  private get intervalMs(): number {
    return this.options.intervalMs ?? 60_000;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep()
        .catch((error: unknown) => this.logger.error({ err: error }, 'refreshing planner statistics failed; trying again later'))
        .finally(() => {
          if (this.timer !== undefined) this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }
}

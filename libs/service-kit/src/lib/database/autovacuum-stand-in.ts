import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

/** What Postgres counts of a table's writes since it was last vacuumed and analyzed. */
export interface TableActivity {
  /** Schema-qualified and quoted, ready for `VACUUM` and `ANALYZE`. */
  table: string;
  liveRows: number;
  deadRows: number;
  insertedSinceVacuum: number;
  modifiedSinceAnalyze: number;
}

/** Autovacuum's own defaults (`autovacuum_analyze_threshold`, `autovacuum_analyze_scale_factor`). */
export const ANALYZE_THRESHOLD = 50;
export const ANALYZE_SCALE_FACTOR = 0.1;
/** Autovacuum's own defaults (`autovacuum_vacuum_threshold`, `autovacuum_vacuum_scale_factor`, and their `_insert_` twins). */
export const VACUUM_THRESHOLD = 50;
export const VACUUM_SCALE_FACTOR = 0.2;
export const VACUUM_INSERT_THRESHOLD = 1000;
export const VACUUM_INSERT_SCALE_FACTOR = 0.2;

/** The tables autovacuum would analyze now: more rows written since the last time than 50 + 10 % of the table. */
export function tablesToAnalyze(tables: readonly TableActivity[]): string[] {
  return tables
    .filter((t) => t.modifiedSinceAnalyze > ANALYZE_THRESHOLD + ANALYZE_SCALE_FACTOR * t.liveRows)
    .map((t) => t.table)
    .sort();
}

/**
 * The tables autovacuum would vacuum now: more dead rows than 50 + 20 % of the table, or more
 * rows inserted since the last vacuum than 1,000 + 20 % of it (the insert rule is what marks
 * the pages of append-mostly tables all-visible, so that index-only scans skip the heap).
 */
export function tablesToVacuum(tables: readonly TableActivity[]): string[] {
  return tables
    .filter(
      (t) =>
        t.deadRows > VACUUM_THRESHOLD + VACUUM_SCALE_FACTOR * t.liveRows ||
        t.insertedSinceVacuum > VACUUM_INSERT_THRESHOLD + VACUUM_INSERT_SCALE_FACTOR * t.liveRows,
    )
    .map((t) => t.table)
    .sort();
}

export interface AutovacuumStandInOptions {
  /** How often the tables are looked at, as autovacuum's naptime (default 60 s). */
  intervalMs?: number;
  /** Vacuum's cost delay and limit (default: autovacuum's own settings). */
  throttle?: { costDelayMs: number; costLimit: number };
}

export interface SweepResult {
  vacuumed: string[];
  analyzed: string[];
}

/**
 * Does autovacuum's work on a service's own tables when the database runs without it (some
 * test and CI databases do), on autovacuum's own thresholds.
 * - Without statistics Postgres guesses that a key matches many rows, and lookups of a batch of
 *   keys become scans of the whole table, slower with every row the service writes.
 * - Without vacuum no page is ever marked all-visible, so an index-only scan (the SLA report's)
 *   still reads every row from the heap, and the planner prefers a sequential scan of it.
 * When autovacuum is on this does nothing: it is autovacuum's job, done better.
 */
export class AutovacuumStandIn {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> = Promise.resolve();
  /** The backend running a vacuum now, if any: a throttled vacuum of a large table takes minutes. */
  private vacuumingBackend: number | undefined;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly logger: Pick<Logger, 'warn' | 'debug' | 'error'>,
    private readonly options: AutovacuumStandInOptions = {},
  ) {}

  /** Starts the periodic sweep if autovacuum is off; says whether it did. */
  async start(): Promise<boolean> {
    const [{ autovacuum }] = (await this.dataSource.query('SHOW autovacuum')) as { autovacuum: string }[];
    if (autovacuum === 'on') return false;
    this.logger.warn(
      { schema: this.schema, intervalMs: this.intervalMs },
      'autovacuum is off in this database: the service vacuums and analyzes its own tables as they grow (enable autovacuum in production)',
    );
    this.schedule();
    return true;
  }

  /** Stops the sweeps; a vacuum under way is cancelled (what it did so far is kept), not waited for. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.vacuumingBackend !== undefined) await this.dataSource.query('SELECT pg_cancel_backend($1)', [this.vacuumingBackend]).catch(() => undefined);
    await this.sweeping;
  }

  /** Vacuums and analyzes the schema's tables that are due; returns their names. */
  async sweep(): Promise<SweepResult> {
    const rows = (await this.dataSource.query(
      `SELECT quote_ident(schemaname) || '.' || quote_ident(relname) AS "table",
              n_live_tup::float8 AS "liveRows", n_dead_tup::float8 AS "deadRows",
              n_ins_since_vacuum::float8 AS "insertedSinceVacuum", n_mod_since_analyze::float8 AS "modifiedSinceAnalyze"
         FROM pg_stat_user_tables WHERE schemaname = $1`,
      [this.schema],
    )) as TableActivity[];
    const vacuumed = tablesToVacuum(rows);
    const analyzed = tablesToAnalyze(rows);
    if (vacuumed.length > 0) await this.vacuum(vacuumed, analyzed);
    for (const table of analyzed.filter((t) => !vacuumed.includes(t))) await this.dataSource.query(`ANALYZE ${table}`);
    if (vacuumed.length + analyzed.length > 0) this.logger.debug({ vacuumed, analyzed }, 'tables vacuumed and analyzed');
    return { vacuumed, analyzed };
  }

  /**
   * Vacuums one table at a time, each command committing on its own (VACUUM cannot run in a
   * transaction), on one connection throttled as autovacuum's workers are (its cost delay and
   * limit), so that the service's own writes keep most of the machine meanwhile.
   */
  private async vacuum(tables: string[], analyzedToo: string[]): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const { throttle } = this.options;
      const setting = (name: string) => `CASE current_setting('autovacuum_${name}') WHEN '-1' THEN current_setting('${name}') ELSE current_setting('autovacuum_${name}') END`;
      await runner.query(`SELECT set_config('vacuum_cost_delay', coalesce($1, ${setting('vacuum_cost_delay')}), false),
                                 set_config('vacuum_cost_limit', coalesce($2, ${setting('vacuum_cost_limit')}), false)`, [
        throttle ? `${throttle.costDelayMs}ms` : null,
        throttle ? String(throttle.costLimit) : null,
      ]);
      const [{ pid }] = (await runner.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
      this.vacuumingBackend = pid;
      for (const table of tables) {
        if (this.stopping) break;
        await runner.query(analyzedToo.includes(table) ? `VACUUM (ANALYZE) ${table}` : `VACUUM ${table}`);
      }
    } finally {
      this.vacuumingBackend = undefined;
      await runner.query('RESET vacuum_cost_delay; RESET vacuum_cost_limit').catch(() => undefined);
      await runner.release();
    }
  }

  private get intervalMs(): number {
    return this.options.intervalMs ?? 60_000;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep()
        .catch((error: unknown) => {
          if (!this.stopping) this.logger.error({ err: error }, 'vacuuming and analyzing tables failed; trying again later');
        })
        .finally(() => {
          if (this.timer !== undefined) this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }
}

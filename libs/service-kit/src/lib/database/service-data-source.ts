import { quoteSchema } from '@vigie/messaging';
import { DataSource, type MigrationInterface } from 'typeorm';

export interface ServiceDataSourceOptions {
  url: string;
  /** The schema this service owns; its migrations table lives there too. */
  schema: string;
  migrations: (new () => MigrationInterface)[];
  poolSize?: number;
  applicationName?: string;
}

/**
 * A TypeORM data source bound to one service schema. Schema changes happen only through the
 * service's explicit migrations (`synchronize` is never on).
 */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  quoteSchema(options.schema);
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: options.applicationName,
    // No JIT compilation: the services' statements are short lookups and writes by key, which
    // Postgres compiles with LLVM whenever their estimated cost passes `jit_above_cost` (e.g. a
    // batch of lateral lookups); the compilation took 220 ms of a 240 ms projector query. Even
    // the SLA report over 470,000 cases ran faster without it (750 ms against 840 ms).
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5000, options: '-c jit=off' },
  });
}

/**
 * Creates the schema if needed and runs pending migrations under a Postgres advisory lock,
 * so several instances starting at once migrate exactly once. Returns the names applied.
 */
export async function migrateServiceSchema(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`vigie-migrations:${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSchema(schema)}`);
      const applied = await dataSource.runMigrations({ transaction: 'all' });
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`vigie-migrations:${schema}`]);
    }
  } finally {
    await runner.release();
  }
}

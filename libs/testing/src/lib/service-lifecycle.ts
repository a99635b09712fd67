import { bootstrapService, type ServiceDefinition } from '@vigie/service-kit';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';

/**
 * Shared integration spec for a Vigie service: from an empty database it migrates, serves
 * /health, /ready, /metrics and /docs, migrates nothing on a second start, runs as its own
 * process, stops cleanly on SIGTERM, and refuses to start on bad configuration.
 */
export function describeServiceLifecycle(definition: ServiceDefinition, mainFile: string): void {
  const portVariable = `${definition.name.toUpperCase().replace(/-/g, '_')}_PORT`;
  const workspaceRoot = join(__dirname, '..', '..', '..', '..');

  describe(`${definition.name} service lifecycle (real Kafka and PostgreSQL)`, () => {
    const databaseName = `vigie_${definition.schema}_${randomBytes(4).toString('hex')}`;
    const adminUrl = process.env.DATABASE_URL ?? '';
    const databaseUrl = withDatabase(adminUrl, databaseName);
    const baseEnv = async () => ({
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      // Shared topics carry other spec files' events; this spec needs none of them.
      KAFKA_CONSUMER_START: 'latest',
      KAFKA_CONSUMER_GROUP_PREFIX: `it-${randomBytes(3).toString('hex')}`,
      [portVariable]: String(await freePort()),
    });

    beforeAll(async () => {
      await adminQuery(adminUrl, `CREATE DATABASE "${databaseName}"`);
    });

    afterAll(async () => {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    });

    it('migrates an empty database and serves its operations endpoints', async () => {
      const service = await bootstrapService(definition, await baseEnv());
      try {
        const migrations = await service.infrastructure.dataSource.query(
          `SELECT name FROM "${definition.schema}".migrations ORDER BY id`,
        );
        expect(migrations.map((m: { name: string }) => m.name)).toEqual(definition.migrations.map((m) => new m().name));
        const tables = await service.infrastructure.dataSource.query(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
          [definition.schema],
        );
        expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(expect.arrayContaining(['inbox', 'outbox']));

        const health = await fetch(`${service.url}/health`);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({ status: 'ok', service: definition.name });

        const ready = await fetch(`${service.url}/ready`);
        expect(await ready.json()).toMatchObject({
          ready: true,
          checks: { database: { ok: true }, kafka: { ok: true } },
        });
        expect(ready.status).toBe(200);

        const metrics = await (await fetch(`${service.url}/metrics`)).text();
        expect(metrics).toContain('vigie_outbox_published_total');
        expect(metrics).toContain(`service="${definition.name}"`);

        const openApi = (await (await fetch(`${service.url}/docs/json`)).json()) as { info: { title: string }; paths: object };
        expect(openApi.info.title).toBe(`Vigie ${definition.name}`);
        expect(Object.keys(openApi.paths)).toEqual(expect.arrayContaining(['/health', '/ready']));
      } finally {
        await service.close();
      }

      const again = await bootstrapService(definition, await baseEnv());
      try {
        const [{ count }] = await again.infrastructure.dataSource.query(
          `SELECT count(*)::int AS count FROM "${definition.schema}".migrations`,
        );
        expect(count).toBe(definition.migrations.length);
      } finally {
        await again.close();
      }
    });

    it('runs as its own process and exits cleanly on SIGTERM', async () => {
      const env = await baseEnv();
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', mainFile], {
        cwd: workspaceRoot,
        env: { ...process.env, ...env, TS_NODE_PROJECT: join(workspaceRoot, 'tsconfig.json') },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const url = `http://127.0.0.1:${env[portVariable]}/ready`;
      const deadline = Date.now() + 90000;
      for (;;) {
        const status = await fetch(url).then((r) => r.status, () => 0);
        if (status === 200) break;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`service did not become ready: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    });

    it('refuses to start with a clear message naming each bad variable', async () => {
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', mainFile], {
        cwd: workspaceRoot,
        env: { PATH: process.env.PATH, DATABASE_URL: 'mysql://nope', [portVariable]: 'eighty' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      expect(code).toBe(78);
      expect(stderr).toContain('KAFKA_BROKERS is required');
      expect(stderr).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL');
      expect(stderr).toContain(`${portVariable} must be an integer between 1 and 65535, got "eighty"`);
    });
  });
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

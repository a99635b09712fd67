import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { findFreePort } from '../ports';
import { processesMentioning } from '../process/processes-mentioning';
import { provisionPostgres } from './provision-postgres';

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('provisionPostgres embedded fallback', () => {
  let workDir: string;

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'vigie-embedded-pg-it-'));
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  async function startEmbedded() {
    // Nothing listens on this port, so the local server is "missing" and the embedded one starts.
    const localAdminUrl = `postgres://postgres@127.0.0.1:${await findFreePort()}/postgres`;
    return provisionPostgres({ env: {}, database: 'vigie_embedded', workDir, localAdminUrl, log: () => undefined });
  }

  it('starts an embedded server when no local one answers, and stop() ends it', async () => {
    const endpoint = await startEmbedded();
    try {
      expect(endpoint.kind).toBe('embedded');
      const [{ version }] = await query<{ version: string }>(endpoint.url, 'SELECT version()');
      expect(version).toMatch(/^PostgreSQL \d+/);
      await query(endpoint.url, 'CREATE TABLE kept_between_runs (id int)');
    } finally {
      await endpoint.stop();
    }
    expect(processesMentioning(workDir)).toEqual([]);
  });

  it('reuses the initialised data directory on the next start', async () => {
    const endpoint = await startEmbedded();
    try {
      const rows = await query<{ name: string }>(endpoint.url, "SELECT to_regclass('kept_between_runs')::text AS name");
      expect(rows[0].name).toBe('kept_between_runs');
    } finally {
      await endpoint.stop();
    }
  });
});

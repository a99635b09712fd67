import { Client } from 'pg';
import { dropDatabaseIfExists } from './database-admin';
import { DEFAULT_LOCAL_ADMIN_URL, provisionPostgres } from './provision-postgres';

describe('provisionPostgres without DATABASE_URL', () => {
  const database = `vigie_provisioning_it_${process.pid}`;

  afterAll(() => dropDatabaseIfExists(DEFAULT_LOCAL_ADMIN_URL, database));

  it('uses the local server and creates the requested database', async () => {
    await dropDatabaseIfExists(DEFAULT_LOCAL_ADMIN_URL, database);

    const endpoint = await provisionPostgres({ env: {}, database, log: () => undefined });

    expect(endpoint.kind).toBe('local');
    const client = new Client({ connectionString: endpoint.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>('SELECT current_database() AS name');
      expect(rows[0].name).toBe(database);
    } finally {
      await client.end();
    }
    await endpoint.stop();
  });
});

import childProcess from 'node:child_process';
import { Client } from 'pg';
import { provisionPostgres } from './provision-postgres';

describe('provisionPostgres', () => {
  afterEach(() => jest.restoreAllMocks());

  it('uses DATABASE_URL as given without connecting or starting anything', async () => {
    const connect = jest.spyOn(Client.prototype, 'connect');
    const spawn = jest.spyOn(childProcess, 'spawn');
    const url = 'postgres://vigie:secret@db.example:6543/vigie_ci?sslmode=disable';

    const endpoint = await provisionPostgres({ env: { DATABASE_URL: url }, database: 'ignored' });

    expect(endpoint).toEqual({ url, kind: 'env', stop: expect.any(Function) });
    await expect(endpoint.stop()).resolves.toBeUndefined();
    expect(connect).not.toHaveBeenCalled();
    expect(spawn).not.toHaveBeenCalled();
  });
});

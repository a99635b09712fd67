import { databaseUrl, redactUrl } from './database-admin';

describe('database URLs', () => {
  it('points a server URL at another database, keeping credentials and parameters', () => {
    expect(databaseUrl('postgres://app:pw@127.0.0.1:5432/postgres?sslmode=disable', 'vigie_test')).toBe(
      'postgres://app:pw@127.0.0.1:5432/vigie_test?sslmode=disable',
    );
  });

  it('masks the password for logs', () => {
    expect(redactUrl('postgres://app:pw@127.0.0.1:5432/vigie')).toBe('postgres://app:***@127.0.0.1:5432/vigie');
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBe('postgres://postgres@127.0.0.1:5432/postgres');
  });
});

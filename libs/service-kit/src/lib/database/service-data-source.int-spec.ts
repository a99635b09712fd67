import { createServiceDataSource } from './service-data-source';

describe('createServiceDataSource against the real database', () => {
  it('opens connections without JIT compilation', async () => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set: run the integration specs through npm test');
    const db = createServiceDataSource({ url, schema: 'public', migrations: [], poolSize: 2 });
    await db.initialize();
    try {
      // Two at once, so both connections of the pool answer.
      const answers = await Promise.all([db.query('SHOW jit'), db.query('SHOW jit')]);
      expect(answers.map(([row]) => row.jit)).toEqual(['off', 'off']);
    } finally {
      await db.destroy();
    }
  });
});

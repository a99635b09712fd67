const requireInfrastructure: () => Promise<void> = require('./require-infrastructure');

describe('integration globalSetup', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('fails the run, naming what is missing, when DATABASE_URL is not set', async () => {
    process.env['KAFKA_BROKERS'] = '127.0.0.1:9092';
    delete process.env['DATABASE_URL'];

    await expect(requireInfrastructure()).rejects.toThrow(/DATABASE_URL is not set[\s\S]*`npm test` provisions both/);
  });

  it('lets the run proceed when both are set', async () => {
    process.env['KAFKA_BROKERS'] = '127.0.0.1:9092';
    process.env['DATABASE_URL'] = 'postgres://postgres@127.0.0.1:5432/vigie';

    await expect(requireInfrastructure()).resolves.toBeUndefined();
  });
});

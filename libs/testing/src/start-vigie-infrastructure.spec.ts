import * as provisioning from '@vigie/provisioning';
import { startVigieInfrastructure } from './start-vigie-infrastructure';

jest.mock('@vigie/provisioning', () => ({
  ...jest.requireActual('@vigie/provisioning'),
  provisionKafka: jest.fn(),
  provisionPostgres: jest.fn(),
}));

const provisionKafka = provisioning.provisionKafka as jest.MockedFunction<typeof provisioning.provisionKafka>;
const provisionPostgres = provisioning.provisionPostgres as jest.MockedFunction<typeof provisioning.provisionPostgres>;
// No Docker engine can answer on a closed port, so these cases never reach Testcontainers.
const NO_DOCKER = { DOCKER_HOST: 'tcp://127.0.0.1:1' };

describe('startVigieInfrastructure', () => {
  afterEach(() => jest.resetAllMocks());

  it('uses KAFKA_BROKERS and DATABASE_URL as given without provisioning anything', async () => {
    const infrastructure = await startVigieInfrastructure({
      env: { KAFKA_BROKERS: 'k1:9092,k2:9092', DATABASE_URL: 'postgres://u@db:5432/vigie' },
    });

    expect(infrastructure).toMatchObject({
      brokers: ['k1:9092', 'k2:9092'],
      databaseUrl: 'postgres://u@db:5432/vigie',
      mode: 'external',
    });
    await infrastructure.stop();
    expect(provisionKafka).not.toHaveBeenCalled();
    expect(provisionPostgres).not.toHaveBeenCalled();
  });

  it('provisions locally without Docker and stops both services once', async () => {
    const stopKafka = jest.fn(async () => undefined);
    const stopPostgres = jest.fn(async () => undefined);
    provisionKafka.mockResolvedValue({ brokers: ['127.0.0.1:9092'], managed: true, stop: stopKafka });
    provisionPostgres.mockResolvedValue({ url: 'postgres://postgres@127.0.0.1:5432/it', kind: 'local', stop: stopPostgres });

    const infrastructure = await startVigieInfrastructure({ env: NO_DOCKER, database: 'it', log: () => undefined });

    expect(infrastructure).toMatchObject({ brokers: ['127.0.0.1:9092'], databaseUrl: 'postgres://postgres@127.0.0.1:5432/it', mode: 'local' });
    expect(provisionPostgres).toHaveBeenCalledWith(expect.objectContaining({ database: 'it' }));
    await Promise.all([infrastructure.stop(), infrastructure.stop()]);
    expect(stopKafka).toHaveBeenCalledTimes(1);
    expect(stopPostgres).toHaveBeenCalledTimes(1);
  });

  it('throws, never skips, in CI when nothing can provide Kafka, and stops what did start', async () => {
    const stopPostgres = jest.fn(async () => undefined);
    provisionKafka.mockRejectedValue(new Error('A local Kafka broker needs Java 11+'));
    provisionPostgres.mockResolvedValue({ url: 'postgres://postgres@127.0.0.1:5432/it', kind: 'local', stop: stopPostgres });

    await expect(startVigieInfrastructure({ env: { ...NO_DOCKER, CI: 'true' }, log: () => undefined })).rejects.toThrow(
      /unavailable: A local Kafka broker needs Java 11\+[\s\S]*KAFKA_BROKERS and DATABASE_URL[\s\S]*CI=true/,
    );
    expect(stopPostgres).toHaveBeenCalledTimes(1);
  });
});

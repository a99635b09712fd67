import childProcess from 'node:child_process';
import { provisionKafka } from './provision-kafka';

describe('provisionKafka', () => {
  let spawn: jest.SpyInstance;
  let execFile: jest.SpyInstance;

  beforeEach(() => {
    spawn = jest.spyOn(childProcess, 'spawn');
    execFile = jest.spyOn(childProcess, 'execFile');
  });
  afterEach(() => jest.restoreAllMocks());

  it('uses KAFKA_BROKERS as given and starts nothing', async () => {
    const endpoint = await provisionKafka({ env: { KAFKA_BROKERS: ' kafka-1:9092 , kafka-2:9092,' } });

    expect(endpoint.brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    expect(endpoint.managed).toBe(false);
    await expect(endpoint.stop()).resolves.toBeUndefined();
    expect(spawn).not.toHaveBeenCalled();
    expect(execFile).not.toHaveBeenCalled();
  });

  it('rejects a malformed KAFKA_PORT before running anything', async () => {
    await expect(provisionKafka({ env: { KAFKA_PORT: 'ninety' } })).rejects.toThrow('KAFKA_PORT must be a TCP port number');
    expect(spawn).not.toHaveBeenCalled();
    expect(execFile).not.toHaveBeenCalled();
  });
});

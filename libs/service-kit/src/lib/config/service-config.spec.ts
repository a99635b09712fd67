import { ConfigurationError, loadServiceConfig } from './service-config';

const validEnv = {
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/vigie',
};

describe('loadServiceConfig', () => {
  it('applies defaults and reads the service-specific port variable', () => {
    const config = loadServiceConfig('notice-and-takedown', 3003, { ...validEnv, NOTICE_AND_TAKEDOWN_PORT: '4100' });
    expect(config).toMatchObject({
      serviceName: 'notice-and-takedown',
      host: '127.0.0.1',
      port: 4100,
      kafkaBrokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
      consumerGroup: 'vigie-notice-and-takedown',
      logLevel: 'info',
      bodyLimitBytes: 5 * 1024 * 1024,
    });
    expect(loadServiceConfig('audit', 3004, validEnv).port).toBe(3004);
  });

  it('reports every problem at once, naming the variable and the value found', () => {
    let caught: unknown;
    try {
      loadServiceConfig('ingest', 3001, { DATABASE_URL: 'mysql://x', INGEST_PORT: '70000', LOG_LEVEL: 'loud' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    const problems = (caught as ConfigurationError).problems;
    expect(problems).toEqual([
      'KAFKA_BROKERS is required: a comma-separated list of host:port (e.g. 127.0.0.1:9092)',
      'DATABASE_URL must be a postgres:// or postgresql:// URL',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'INGEST_PORT must be an integer between 1 and 65535, got "70000"',
    ]);
    expect((caught as Error).message).toContain('invalid configuration for ingest');
  });

  it('rejects a malformed broker address', () => {
    expect(() => loadServiceConfig('scoring', 3002, { ...validEnv, KAFKA_BROKERS: 'localhost' })).toThrow(
      /KAFKA_BROKERS invalid broker address "localhost": expected host:port/,
    );
  });

  it('uses the consumer group prefix when given', () => {
    expect(loadServiceConfig('audit', 3004, { ...validEnv, KAFKA_CONSUMER_GROUP_PREFIX: 'it-1' }).consumerGroup).toBe('it-1-audit');
  });
});

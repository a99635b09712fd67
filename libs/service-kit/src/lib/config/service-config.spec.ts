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

  it('reads the trusted proxies and the metrics token, and names malformed ones', () => {
    const config = loadServiceConfig('ingest', 3001, { ...validEnv, HTTP_TRUSTED_PROXIES: ' 10.0.0.0/8, 127.0.0.1 ,::1, fd00::/8', VIGIE_METRICS_TOKEN: 'a'.repeat(32) });
    expect(config.trustedProxies).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']);
    expect(config.metricsToken).toBe('a'.repeat(32));
    expect(loadServiceConfig('ingest', 3001, validEnv)).toMatchObject({ trustedProxies: [], metricsToken: undefined });
    for (const proxy of ['proxy.local', '10.0.0.0/33', '::1/129', '10.0.0.1/8/1', '10.0.0/8']) {
      expect(() => loadServiceConfig('ingest', 3001, { ...validEnv, HTTP_TRUSTED_PROXIES: proxy })).toThrow(/HTTP_TRUSTED_PROXIES must list IP addresses or CIDR ranges/);
    }
    expect(() => loadServiceConfig('ingest', 3001, { ...validEnv, VIGIE_METRICS_TOKEN: 'short' })).toThrow(/VIGIE_METRICS_TOKEN must be 16 to 512/);
  });
});

import { parseBrokerList } from '@vigie/messaging';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Configuration every Vigie service shares; names are the same in docker-compose.yml. */
export interface ServiceConfig {
  serviceName: string;
  host: string;
  port: number;
  kafkaBrokers: string[];
  databaseUrl: string;
  databasePoolSize: number;
  logLevel: LogLevel;
  /** Kafka consumer group; defaults to `vigie-<service>`. */
  consumerGroup: string;
  /** Largest accepted HTTP request body. */
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  /**
   * Where a new consumer group starts: `earliest` (the default: a new deployment processes
   * the topics' whole retained history) or `latest` (only what arrives from now on).
   */
  consumerStart: 'earliest' | 'latest';
  /** Where API keys are verified (ingest's platform registry), for services that serve HTTP APIs. */
  authUrl: string;
}

export class ConfigurationError extends Error {
  constructor(
    readonly serviceName: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration for ${serviceName}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads and validates the environment once, at start. Every problem is reported at once,
 * each naming the variable, what was expected and what was found.
 *
 * `<SERVICE>_PORT` (e.g. INGEST_PORT, NOTICE_AND_TAKEDOWN_PORT) sets the HTTP port, so one
 * environment file can describe the whole stack.
 */
export function loadServiceConfig(serviceName: string, defaultPort: number, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const problems: string[] = [];
  const portVariable = `${serviceName.toUpperCase().replace(/-/g, '_')}_PORT`;

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  let kafkaBrokers: string[] = [];
  const brokers = env.KAFKA_BROKERS;
  if (!brokers) {
    problems.push('KAFKA_BROKERS is required: a comma-separated list of host:port (e.g. 127.0.0.1:9092)');
  } else {
    try {
      kafkaBrokers = parseBrokerList(brokers);
    } catch (error) {
      problems.push(`KAFKA_BROKERS ${(error as Error).message}`);
    }
  }

  const databaseUrl = env.DATABASE_URL ?? '';
  if (!databaseUrl) {
    problems.push('DATABASE_URL is required: postgres://user[:password]@host:port/database');
  } else if (!/^postgres(ql)?:\/\/[^\s]+$/.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }

  const logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!logLevels.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${logLevels.join(', ')}, got "${env.LOG_LEVEL}"`);
  }

  const config: ServiceConfig = {
    serviceName,
    host: env.HOST ?? '127.0.0.1',
    port: integer(portVariable, defaultPort, 1, 65535),
    kafkaBrokers,
    databaseUrl,
    databasePoolSize: integer('DATABASE_POOL_SIZE', 10, 1, 200),
    logLevel,
    consumerGroup: env.KAFKA_CONSUMER_GROUP_PREFIX ? `${env.KAFKA_CONSUMER_GROUP_PREFIX}-${serviceName}` : `vigie-${serviceName}`,
    bodyLimitBytes: integer('HTTP_BODY_LIMIT_BYTES', 5 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 20000, 1000, 600000),
    consumerStart: env.KAFKA_CONSUMER_START === 'latest' ? 'latest' : 'earliest',
    authUrl: (env.VIGIE_AUTH_URL ?? 'http://127.0.0.1:3001').replace(/\/$/, ''),
  };
  if (env.KAFKA_CONSUMER_START !== undefined && !['earliest', 'latest'].includes(env.KAFKA_CONSUMER_START)) {
    problems.push(`KAFKA_CONSUMER_START must be earliest or latest, got "${env.KAFKA_CONSUMER_START}"`);
  }
  if (!/^https?:\/\/[^\s]+$/.test(config.authUrl)) problems.push(`VIGIE_AUTH_URL must be an http(s) URL, got "${env.VIGIE_AUTH_URL}"`);
  if (problems.length > 0) throw new ConfigurationError(serviceName, problems);
  return config;
}

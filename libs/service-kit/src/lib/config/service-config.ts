import { isIP } from 'node:net';
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
  /**
   * How long the broker waits for a consumer that stopped heartbeating (a crashed process)
   * before giving its partitions to the others; a restarted service waits that long to rejoin.
   */
  consumerSessionTimeoutMs: number;
  /**
   * Days an applied event id stays in the service's inbox (INBOX_RETENTION_DAYS, default 14):
   * longer than the topics keep their records (Kafka's default is 7 days), since a consumer
   * group reset to the earliest offset redelivers all of them.
   */
  inboxRetentionDays: number;
  /** Where API keys are verified (ingest's platform registry), for services that serve HTTP APIs. */
  authUrl: string;
  /**
   * Bearer token a scraper presents for `GET /metrics` (VIGIE_METRICS_TOKEN). Unset, metrics
   * are served to loopback clients only: their labels name platforms and their SLA states.
   */
  metricsToken: string | undefined;
  /**
   * Reverse proxies (addresses or CIDR ranges, HTTP_TRUSTED_PROXIES) whose X-Forwarded-For is
   * believed: behind them, the client's address (per-address rate limits) is the one they saw.
   * Empty: the header is ignored, since any client could write it.
   */
  trustedProxies: string[];
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
    // The broker refuses less than its group.min.session.timeout.ms (6 s by default).
    consumerSessionTimeoutMs: integer('KAFKA_CONSUMER_SESSION_TIMEOUT_MS', 30000, 6000, 300000),
    inboxRetentionDays: integer('INBOX_RETENTION_DAYS', 14, 1, 36500),
    authUrl: (env.VIGIE_AUTH_URL ?? 'http://127.0.0.1:3001').replace(/\/$/, ''),
    metricsToken: env.VIGIE_METRICS_TOKEN || undefined,
    trustedProxies: (env.HTTP_TRUSTED_PROXIES ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''),
  };
  for (const proxy of config.trustedProxies) {
    const [address, prefix, extra] = proxy.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    if (family === 0 || extra !== undefined || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits))) {
      problems.push(`HTTP_TRUSTED_PROXIES must list IP addresses or CIDR ranges (e.g. 10.0.0.0/8,127.0.0.1), got "${proxy}"`);
    }
  }
  if (config.metricsToken !== undefined && !/^[\x21-\x7e]{16,512}$/.test(config.metricsToken)) {
    problems.push('VIGIE_METRICS_TOKEN must be 16 to 512 visible ASCII characters (e.g. `openssl rand -hex 32`)');
  }
  if (env.KAFKA_CONSUMER_START !== undefined && !['earliest', 'latest'].includes(env.KAFKA_CONSUMER_START)) {
    problems.push(`KAFKA_CONSUMER_START must be earliest or latest, got "${env.KAFKA_CONSUMER_START}"`);
  }
  if (!/^https?:\/\/[^\s]+$/.test(config.authUrl)) problems.push(`VIGIE_AUTH_URL must be an http(s) URL, got "${env.VIGIE_AUTH_URL}"`);
  if (problems.length > 0) throw new ConfigurationError(serviceName, problems);
  return config;
}

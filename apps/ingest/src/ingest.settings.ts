import { EnvReader } from '@vigie/service-kit';

export interface IngestSettings {
  /** When set, this key (kept only as a hash) is an admin key: it bootstraps the registry. */
  adminApiKey: string | undefined;
  /** 32-byte key (hex) that encrypts platforms' webhook secrets at rest. */
  secretsKey: Buffer | undefined;
  /** How far in the future a platform's timestamp claim may be before the ad is rejected. */
  maxFutureSkewMs: number;
  /** Intake requests processed at once; more are answered 429 with Retry-After. */
  maxConcurrentIntakes: number;
  /** A publish slower than this counts as a failure for the circuit breaker. */
  publishTimeoutMs: number;
  /** How long the breaker stays open before letting a trial request through. */
  breakerResetMs: number;
  /** An NDJSON upload that sends nothing for this long is answered 408 with the line to resume from. */
  ndjsonIdleTimeoutMs: number;
}

export const INGEST_SETTINGS_DEFAULTS = {
  maxFutureSkewSeconds: 300,
  maxConcurrentIntakes: 16,
  publishTimeoutMs: 10000,
  breakerResetMs: 10000,
  ndjsonIdleTimeoutMs: 60000,
};

export function loadIngestSettings(env: NodeJS.ProcessEnv): IngestSettings {
  const reader = new EnvReader(env);
  const problems = reader.problems;
  const integer = reader.integer.bind(reader);
  const adminApiKey = env.INGEST_ADMIN_API_KEY || undefined;
  if (adminApiKey !== undefined && adminApiKey.length < 32) {
    problems.push('INGEST_ADMIN_API_KEY must be at least 32 characters (use a random value)');
  }
  let secretsKey: Buffer | undefined;
  if (env.VIGIE_SECRETS_KEY) {
    if (!/^[0-9a-fA-F]{64}$/.test(env.VIGIE_SECRETS_KEY)) {
      problems.push('VIGIE_SECRETS_KEY must be 64 hex characters (32 random bytes)');
    } else {
      secretsKey = Buffer.from(env.VIGIE_SECRETS_KEY, 'hex');
    }
  }
  const settings: IngestSettings = {
    adminApiKey,
    secretsKey,
    maxFutureSkewMs: integer('INGEST_MAX_FUTURE_SKEW_SECONDS', INGEST_SETTINGS_DEFAULTS.maxFutureSkewSeconds, 0, 86400) * 1000,
    maxConcurrentIntakes: integer('INGEST_MAX_CONCURRENT_INTAKES', INGEST_SETTINGS_DEFAULTS.maxConcurrentIntakes, 1, 1024),
    publishTimeoutMs: integer('INGEST_PUBLISH_TIMEOUT_MS', INGEST_SETTINGS_DEFAULTS.publishTimeoutMs, 100, 600000),
    breakerResetMs: integer('INGEST_BREAKER_RESET_MS', INGEST_SETTINGS_DEFAULTS.breakerResetMs, 100, 600000),
    ndjsonIdleTimeoutMs: integer('INGEST_NDJSON_IDLE_TIMEOUT_MS', INGEST_SETTINGS_DEFAULTS.ndjsonIdleTimeoutMs, 1000, 3600000),
  };
  reader.assertValid('ingest');
  return settings;
}

import { EnvReader } from '@vigie/service-kit';
import { DEFAULT_SLA_POLICY, parseSlaPolicy, type SlaPolicy } from '@vigie/sla';
import { readFileSync } from 'node:fs';

export interface NoticeAndTakedownSettings {
  /**
   * An admin key of the registry (ingest) with which this service reads platforms' delivery
   * targets (webhook URL and signing secret). Without it, webhook platforms get no commands
   * delivered (Kafka delivery still works) and readiness says so.
   */
  serviceApiKey: string | undefined;
  /** The SLA policy in force: the JSON file `NAT_SLA_POLICY_FILE`, else the built-in default (`@vigie/sla`). */
  slaPolicy: SlaPolicy;
  /** Anonymous public notices per client address per minute. */
  publicNoticesPerMinute: number;
  /** How long a moderator's claim on a case lasts without renewal. */
  claimLeaseMs: number;
  /** Decide automatically (then review) on known-image hash matches and stated minors. */
  automaticRemoval: { hashMatch: boolean; statedMinor: boolean };
  /** Automated flags of these bands open cases. */
  flagBands: ('high' | 'critical')[];
  webhook: { timeoutMs: number; maxAttempts: number; backoffBaseMs: number; breakerResetMs: number };
  verification: {
    enabled: boolean;
    timeoutMs: number;
    maxAttempts: number;
    backoffBaseMs: number;
    breakerResetMs: number;
    /** Whether probes may reach loopback and private networks (`NAT_VERIFY_PRIVATE_ADDRESSES=allow`; default deny). */
    allowPrivateAddresses: boolean;
  };
  /** Art. 23: removals that make an account or contact a repeat offender; unfounded notices before a warning / deprioritising. */
  repeatOffenderRemovals: number;
  unfoundedNoticesWarning: number;
  unfoundedNoticesDeprioritise: number;
  /** Background work (delivery, verification, lease expiry) polls at this interval. */
  workerIntervalMs: number;
}

export const NAT_SETTINGS_DEFAULTS = {
  publicNoticesPerMinute: 10,
  claimLeaseSeconds: 900,
  webhookTimeoutMs: 5000,
  webhookMaxAttempts: 50,
  webhookBackoffBaseMs: 1000,
  breakerResetMs: 10000,
  verificationTimeoutMs: 5000,
  verificationMaxAttempts: 10,
  verificationBackoffBaseMs: 5000,
  repeatOffenderRemovals: 3,
  unfoundedNoticesWarning: 3,
  unfoundedNoticesDeprioritise: 5,
  workerIntervalMs: 500,
};

export function loadNoticeAndTakedownSettings(env: NodeJS.ProcessEnv): NoticeAndTakedownSettings {
  const reader = new EnvReader(env);
  const problems = reader.problems;
  const integer = reader.integer.bind(reader);
  const flag = reader.flag.bind(reader);
  const serviceApiKey = env.VIGIE_SERVICE_API_KEY || undefined;
  const flagBandsRaw = env.NAT_FLAG_BANDS ?? 'high,critical';
  const flagBands = flagBandsRaw.split(',').map((band) => band.trim()).filter(Boolean);
  if (flagBands.some((band) => band !== 'high' && band !== 'critical')) {
    problems.push(`NAT_FLAG_BANDS must list high and/or critical, got "${flagBandsRaw}"`);
  }
  const privateAddresses = env.NAT_VERIFY_PRIVATE_ADDRESSES ?? 'deny';
  if (privateAddresses !== 'allow' && privateAddresses !== 'deny') {
    problems.push(`NAT_VERIFY_PRIVATE_ADDRESSES must be allow or deny, got "${privateAddresses}"`);
  }
  const d = NAT_SETTINGS_DEFAULTS;
  const settings: NoticeAndTakedownSettings = {
    serviceApiKey,
    slaPolicy: loadPolicy(env.NAT_SLA_POLICY_FILE, problems),
    publicNoticesPerMinute: integer('NAT_PUBLIC_NOTICES_PER_MINUTE', d.publicNoticesPerMinute, 1, 100000),
    claimLeaseMs: integer('NAT_CLAIM_LEASE_SECONDS', d.claimLeaseSeconds, 1, 86400) * 1000,
    automaticRemoval: {
      hashMatch: flag('NAT_AUTO_REMOVE_HASH_MATCH', true),
      statedMinor: flag('NAT_AUTO_REMOVE_STATED_MINOR', true),
    },
    flagBands: flagBands as ('high' | 'critical')[],
    webhook: {
      timeoutMs: integer('NAT_WEBHOOK_TIMEOUT_MS', d.webhookTimeoutMs, 100, 120000),
      maxAttempts: integer('NAT_WEBHOOK_MAX_ATTEMPTS', d.webhookMaxAttempts, 1, 10000),
      backoffBaseMs: integer('NAT_WEBHOOK_BACKOFF_MS', d.webhookBackoffBaseMs, 10, 3600000),
      breakerResetMs: integer('NAT_BREAKER_RESET_MS', d.breakerResetMs, 100, 600000),
    },
    verification: {
      enabled: flag('NAT_VERIFY_REMOVALS', true),
      timeoutMs: integer('NAT_VERIFY_TIMEOUT_MS', d.verificationTimeoutMs, 100, 120000),
      maxAttempts: integer('NAT_VERIFY_MAX_ATTEMPTS', d.verificationMaxAttempts, 1, 1000),
      backoffBaseMs: integer('NAT_VERIFY_BACKOFF_MS', d.verificationBackoffBaseMs, 10, 3600000),
      breakerResetMs: integer('NAT_BREAKER_RESET_MS', d.breakerResetMs, 100, 600000),
      allowPrivateAddresses: privateAddresses === 'allow',
    },
    repeatOffenderRemovals: integer('NAT_REPEAT_OFFENDER_REMOVALS', d.repeatOffenderRemovals, 1, 1000),
    unfoundedNoticesWarning: integer('NAT_UNFOUNDED_NOTICES_WARNING', d.unfoundedNoticesWarning, 1, 1000),
    unfoundedNoticesDeprioritise: integer('NAT_UNFOUNDED_NOTICES_DEPRIORITISE', d.unfoundedNoticesDeprioritise, 1, 1000),
    workerIntervalMs: integer('NAT_WORKER_INTERVAL_MS', d.workerIntervalMs, 10, 60000),
  };
  if (settings.unfoundedNoticesDeprioritise < settings.unfoundedNoticesWarning) {
    problems.push('NAT_UNFOUNDED_NOTICES_DEPRIORITISE must be at least NAT_UNFOUNDED_NOTICES_WARNING');
  }
  reader.assertValid('notice-and-takedown');
  return settings;
}

function loadPolicy(file: string | undefined, problems: string[]): SlaPolicy {
  if (!file) return DEFAULT_SLA_POLICY;
  try {
    return parseSlaPolicy(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    problems.push(`NAT_SLA_POLICY_FILE (${file}): ${(error as Error).message}`);
    return DEFAULT_SLA_POLICY;
  }
}

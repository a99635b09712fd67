import { Inject, Injectable, Optional } from '@nestjs/common';
import { ConfigurationError, SERVICE_SETTINGS } from '@vigie/service-kit';
import { DEFAULT_SLA_POLICY, parseSlaPolicy, type SlaPolicy } from '@vigie/sla';
import { readFileSync } from 'node:fs';
import type { ProjectionSettings } from './case-projection';

/** Settings of the SLA engine, reports and exports (all optional; defaults suit production). */
export interface SlaEngineSettings {
  /** `AUDIT_PROJECTOR_ENABLED=false` stops tailing the log (e.g. a read-only replica). */
  readonly projectorEnabled: boolean;
  readonly projectorPollMs: number;
  readonly projectorBatchSize: number;
  /** How long a hole in log positions is waited for before it is taken as a rollback. */
  readonly projectorGapWaitMs: number;
  /** Tolerated difference between business, broker and recording time before `large-skew`. */
  readonly maxSkewMs: number;
  /** Extra SLA policy files (JSON), by version; the shipped default is always known. */
  readonly slaPolicies: readonly SlaPolicy[];
  readonly alertsEnabled: boolean;
  readonly alertsPollMs: number;
  /** A breach found later than this after its deadline is flagged `detectedLate`. */
  readonly alertLateAfterMs: number;
  readonly tdbTimeoutMs: number;
  readonly tdbRetries: number;
  readonly tdbBackoffMs: number;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) problems.push(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === 'true') return true;
  if (raw !== 'false') problems.push(`${name} must be true or false, got "${raw}"`);
  return false;
}

/** Reads and validates the SLA engine's settings; throws a `ConfigurationError` naming every bad variable. */
export function readSlaEngineSettings(env: NodeJS.ProcessEnv): SlaEngineSettings {
  const problems: string[] = [];
  const slaPolicies: SlaPolicy[] = [];
  for (const file of (env.AUDIT_SLA_POLICY_FILES ?? '').split(',').map((f) => f.trim()).filter(Boolean)) {
    try {
      slaPolicies.push(parseSlaPolicy(readFileSync(file, 'utf8')));
    } catch (error) {
      problems.push(`AUDIT_SLA_POLICY_FILES: ${file}: ${(error as Error).message}`);
    }
  }
  const settings: SlaEngineSettings = {
    projectorEnabled: flag(env, 'AUDIT_PROJECTOR_ENABLED', problems),
    projectorPollMs: integer(env, 'AUDIT_PROJECTOR_POLL_MS', 200, 10, problems),
    projectorBatchSize: integer(env, 'AUDIT_PROJECTOR_BATCH_SIZE', 2000, 1, problems),
    projectorGapWaitMs: integer(env, 'AUDIT_PROJECTOR_GAP_WAIT_MS', 2000, 0, problems),
    maxSkewMs: integer(env, 'AUDIT_MAX_SKEW_MS', 300_000, 0, problems),
    slaPolicies,
    alertsEnabled: flag(env, 'AUDIT_ALERTS_ENABLED', problems),
    alertsPollMs: integer(env, 'AUDIT_ALERTS_POLL_MS', 1000, 10, problems),
    alertLateAfterMs: integer(env, 'AUDIT_ALERT_LATE_AFTER_MS', 60_000, 0, problems),
    tdbTimeoutMs: integer(env, 'AUDIT_TDB_TIMEOUT_MS', 10_000, 1, problems),
    tdbRetries: integer(env, 'AUDIT_TDB_RETRIES', 4, 0, problems),
    tdbBackoffMs: integer(env, 'AUDIT_TDB_BACKOFF_MS', 500, 0, problems),
  };
  if (problems.length > 0) throw new ConfigurationError('audit', problems);
  return settings;
}

/**
 * The settings, from the service's validated settings when they carry them (`slaEngine`),
 * else read here from the environment, so the engine never runs on unvalidated input.
 */
@Injectable()
export class ProjectionSettingsProvider {
  readonly value: SlaEngineSettings;
  readonly projection: ProjectionSettings;

  constructor(@Optional() @Inject(SERVICE_SETTINGS) serviceSettings?: { slaEngine?: SlaEngineSettings }) {
    this.value = serviceSettings?.slaEngine ?? readSlaEngineSettings(process.env);
    const policies = new Map<string, SlaPolicy>([[DEFAULT_SLA_POLICY.version, DEFAULT_SLA_POLICY]]);
    for (const policy of this.value.slaPolicies) policies.set(policy.version, policy);
    this.projection = { policies, defaultPolicy: DEFAULT_SLA_POLICY, maxSkewMs: this.value.maxSkewMs };
  }
}

import { EnvReader } from '@vigie/service-kit';
import { MAX_SUBMITTED_PER_RUN, SUBMISSION_PAGE_SIZE } from './exports/services/tdb-submission.service';
import { readSlaEngineSettings, type SlaEngineSettings } from './projections/services/projection-settings';

/**
 * The audit service's own settings, read once at start. A plain list of fields: each feature
 * adds its own, parsed in `loadAuditSettings` below.
 */
export interface AuditSettings {
  /** How often a signed checkpoint over the chain heads is issued (`AUDIT_CHECKPOINT_INTERVAL_MS`; 0 turns the timer off). */
  checkpointIntervalMs: number;
  /** The JSON-lines file every checkpoint is also appended to, outside the database (`AUDIT_CHECKPOINT_FILE`). */
  checkpointFile: string;
  /**
   * The Ed25519 private key (PEM) checkpoints are signed with (`AUDIT_SIGNING_KEY_FILE`). When the
   * variable is not set, a key kept in `.cache/audit/` is used, generated on first start for
   * local use (and said so in the log); a file named explicitly must exist.
   */
  signingKeyFile: string;
  signingKeyIsLocal: boolean;
  /**
   * Heap of the thread that runs `POST /admin/verify` (`AUDIT_VERIFY_HEAP_MB`). A walk keeps
   * about 250 bytes per chain: the default holds some 4,000,000 chains. A larger log ends the
   * walk with a clear error, not the service; the CLI (`audit verify`) has no such limit.
   */
  verifyHeapMb: number;
  /**
   * Statements one Transparency Database submission sends at most (`AUDIT_TDB_MAX_PER_RUN`): its
   * answer says how many remain, and the next run sends them. Bounds a run's duration and answer.
   */
  tdbMaxPerRun: number;
  /** Statements a submission reads from the database at a time (`AUDIT_TDB_PAGE_SIZE`). */
  tdbPageSize: number;
  /** The SLA engine, alerts, reports and exports (`AUDIT_PROJECTOR_*`, `AUDIT_ALERTS_*`, `AUDIT_TDB_*`, …). */
  slaEngine: SlaEngineSettings;
}

export const AUDIT_SETTINGS_DEFAULTS = {
  checkpointIntervalMs: 60000,
  checkpointFile: '.cache/audit/checkpoints.jsonl',
  localSigningKeyFile: '.cache/audit/signing-key.pem',
  verifyHeapMb: 1024,
  tdbMaxPerRun: MAX_SUBMITTED_PER_RUN,
  tdbPageSize: SUBMISSION_PAGE_SIZE,
};

export function loadAuditSettings(env: NodeJS.ProcessEnv): AuditSettings {
  const reader = new EnvReader(env);
  const integer = reader.integer.bind(reader);
  const d = AUDIT_SETTINGS_DEFAULTS;
  const settings: AuditSettings = {
    checkpointIntervalMs: integer('AUDIT_CHECKPOINT_INTERVAL_MS', d.checkpointIntervalMs, 0, 86_400_000),
    checkpointFile: env.AUDIT_CHECKPOINT_FILE || d.checkpointFile,
    signingKeyFile: env.AUDIT_SIGNING_KEY_FILE || d.localSigningKeyFile,
    signingKeyIsLocal: !env.AUDIT_SIGNING_KEY_FILE,
    verifyHeapMb: integer('AUDIT_VERIFY_HEAP_MB', d.verifyHeapMb, 64, 65_536),
    tdbMaxPerRun: integer('AUDIT_TDB_MAX_PER_RUN', d.tdbMaxPerRun, 1, 1_000_000),
    tdbPageSize: integer('AUDIT_TDB_PAGE_SIZE', d.tdbPageSize, 1, 10_000),
    slaEngine: readSlaEngineSettings(env),
  };
  reader.assertValid('audit');
  return settings;
}

import { Inject, Injectable } from '@nestjs/common';
import { uuidv7 } from '@vigie/contracts';
import { SERVICE_SETTINGS } from '@vigie/service-kit';
import { TDB_MAX_BATCH } from '@vigie/tdb';
import CircuitBreaker from 'opossum';
import { DataSource } from 'typeorm';
import type { AuditSettings } from '../../audit.settings';
import { ProjectionSettingsProvider } from '../../projections/services/projection-settings';
import type { Period } from '../../reports/services/report-scope';
import { statementProblems, type ValidStatement } from './statements-export.service';
import { alreadyPresentIndexes, backoffMs, postBatch, refusedIndexes, TdbAuthError, TdbTransientError, type TdbAnswer } from './tdb-http';

/** Statements one run sends at most; the report says how many remain, for the next run. */
export const MAX_SUBMITTED_PER_RUN = 50_000;
/** Statements read from the database at a time. */
export const SUBMISSION_PAGE_SIZE = 1_000;
/** Accepted batches a report lists in full; the rest are only counted (refused and failed ones are all listed). */
export const ACCEPTED_BATCHES_REPORTED = 100;

export interface SubmissionLimits {
  readonly maxPerRun: number;
  readonly pageSize: number;
  readonly acceptedBatchesReported: number;
}

/** A place in the period's order (`informed_at, tenant, puid`): a run can start after it. */
export interface SubmissionPosition {
  /** `informed_at` in UTC to the microsecond, as PostgreSQL keeps it. */
  readonly informedAt: string;
  readonly tenant: string;
  readonly puid: string;
}

const POSITION_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The report's `resumeAfter`: opaque to callers, who only hand it back. */
export function encodeSubmissionPosition(position: SubmissionPosition): string {
  return Buffer.from(JSON.stringify([position.informedAt, position.tenant, position.puid])).toString('base64url');
}

/** A `resumeAfter` given back by a caller, or null when it is not one this service wrote. */
export function decodeSubmissionPosition(text: string): SubmissionPosition | null {
  if (text.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parts) || parts.length !== 3 || !parts.every((part) => typeof part === 'string' && part !== '')) return null;
  const [informedAt, tenant, puid] = parts as string[];
  if (!POSITION_INSTANT.test(informedAt) || Number.isNaN(Date.parse(informedAt))) return null;
  return { informedAt, tenant, puid };
}

export interface SubmissionRequest {
  readonly url: string;
  readonly period: Period;
  readonly platformId: string | null;
  /** Send again statements the database refused before (default: a refusal is final until asked). */
  readonly retryRejected?: boolean;
  /** The platform's API token for the database (bearer); only with `platformId`. Never stored. */
  readonly token?: string;
  /** Start after this place in the period (an earlier run's `resumeAfter`), not at its beginning. */
  readonly resumeAfter?: SubmissionPosition;
}

export interface BatchReport {
  readonly platformId: string;
  readonly puids: string[];
  readonly outcome: 'accepted' | 'rejected' | 'failed';
  readonly status: number | null;
  readonly attempts: number;
  /** Accepted before: the database refused them only because it already holds their puid. */
  readonly alreadyPresent?: true;
  /** The database's answer to a refusal, or why the batch could not be delivered. */
  readonly answer?: unknown;
}

export interface SubmissionReport {
  readonly runId: string;
  readonly url: string;
  readonly period: Period;
  readonly platformId: string | null;
  /** Statements the database accepted in this run. */
  readonly submitted: number;
  /** Statements it had already accepted in an earlier run: not sent. */
  readonly skipped: number;
  /**
   * Statements the database already held although no answer here said so (an attempt whose
   * answer was lost, e.g. to a timeout): its puid-uniqueness refusal is taken as their receipt.
   */
  readonly alreadyPresent: number;
  /** Statements it had refused in an earlier run: not sent unless `retryRejected`. */
  readonly previouslyRejected: number;
  /** Statements it refused in this run (their whole batch, or the ones its answer named). */
  readonly rejected: number;
  /**
   * Statements not delivered (5xx or timeouts after every retry, breaker open). They are not in
   * `remaining` when they come before where the run stopped: a run from the period's beginning
   * (without `resumeAfter`) sends them again.
   */
  readonly failed: number;
  /** Statements the export left out (they break a rule), never sent. */
  readonly invalid: number;
  /**
   * Statements of the period after the place this run stopped at, once it had sent its maximum,
   * that the database has neither accepted nor (unless `retryRejected`) refused: another run
   * sends them. 0 when the run went through the whole period. Counted before the rules are
   * applied, so a few of them may turn out invalid.
   */
  readonly remaining: number;
  /** Where this run stopped, when `remaining` is not 0: given back, the next run starts there. */
  readonly resumeAfter: string | null;
  /** Every refused or failed batch, and the first accepted ones (`acceptedBatchesOmitted` counts the rest). */
  readonly batches: BatchReport[];
  readonly acceptedBatchesOmitted: number;
}

/**
 * A run's counts, exact, and its batches: all the ones an officer has to look at (refused, not
 * delivered), but only the first accepted ones, so that a run of hundreds of batches still
 * answers with a small report.
 */
export class SubmissionTally {
  submitted = 0;
  alreadyPresent = 0;
  rejected = 0;
  failed = 0;
  skipped = 0;
  previouslyRejected = 0;
  invalid = 0;
  acceptedBatchesOmitted = 0;
  readonly batches: BatchReport[] = [];
  private acceptedBatchesKept = 0;

  constructor(private readonly acceptedBatchesReported: number) {}

  add(batch: BatchReport): void {
    const statements = batch.puids.length;
    if (batch.outcome === 'accepted') {
      if (batch.alreadyPresent === true) this.alreadyPresent += statements;
      else this.submitted += statements;
      if (this.acceptedBatchesKept >= this.acceptedBatchesReported) {
        this.acceptedBatchesOmitted++;
        return;
      }
      this.acceptedBatchesKept++;
    } else if (batch.outcome === 'rejected') {
      this.rejected += statements;
    } else {
      this.failed += statements;
    }
    this.batches.push(batch);
  }
}

/** A statement of the period as a run reads it: the statement itself only when it may be sent. */
interface SubmissionRow {
  readonly tenant: string;
  readonly puid: string;
  readonly informed_at: string;
  readonly outcome: 'accepted' | 'rejected' | null;
  readonly statement: Record<string, unknown> | null;
  readonly conflicting_event_ids: string[] | null;
}

// Parameters shared by the page and the count: $1 from, $2 to, $3 platform (or null),
// $4 retryRejected, $5–$7 the position to start after (or nulls).
const IN_PERIOD_AFTER = `s.informed_at >= $1 AND s.informed_at < $2 AND ($3::text IS NULL OR s.tenant = $3)
  AND ($5::timestamptz IS NULL OR (s.informed_at, s.tenant, s.puid) > ($5::timestamptz, $6::text, $7::text))`;
/** Neither accepted nor, unless retried, refused by the database before. */
const TO_SEND = `(t.outcome IS NULL OR (t.outcome = 'rejected' AND $4::boolean))`;

type Outcome = { answer: TdbAnswer; attempts: number } | { error: Error; attempts: number };

/**
 * Sends the export's valid statements of reasons to a Transparency Database, idempotent by
 * `puid`: what it accepted is remembered in `audit.tdb_submissions` and never sent again.
 * A batch is all-or-nothing on the receiving side, so each one is one request for one
 * platform (the database files statements under the platform that sends them).
 *
 * A period may hold millions of statements: a run reads them a page at a time and holds, besides
 * the page, at most one unfilled batch per platform; it sends at most `maxPerRun` and says how
 * many remain, so a large period takes several runs, each one past what the last had accepted.
 */
@Injectable()
export class TdbSubmissionService {
  private readonly breakers = new Map<string, CircuitBreaker<[string, Record<string, unknown>[], string | undefined], TdbAnswer>>();
  /** Runs one at a time, so two overlapping runs cannot both send a puid neither has recorded yet. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly limits: SubmissionLimits;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: ProjectionSettingsProvider,
    @Inject(SERVICE_SETTINGS) serviceSettings: AuditSettings,
  ) {
    this.limits = { maxPerRun: serviceSettings.tdbMaxPerRun, pageSize: serviceSettings.tdbPageSize, acceptedBatchesReported: ACCEPTED_BATCHES_REPORTED };
  }

  submit(request: SubmissionRequest, limits: SubmissionLimits = this.limits): Promise<SubmissionReport> {
    const run = this.queue.then(() => this.run(request, limits));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private breakerFor(url: string): CircuitBreaker<[string, Record<string, unknown>[], string | undefined], TdbAnswer> {
    const origin = new URL(url).origin;
    let breaker = this.breakers.get(origin);
    if (!breaker) {
      const { tdbTimeoutMs } = this.settings.value;
      // The request carries its own abort timeout; the breaker only counts transient failures
      // (a 4xx resolves: it is a verdict on statements, not a sick receiver).
      breaker = new CircuitBreaker((target: string, batch: Record<string, unknown>[], token: string | undefined) => postBatch(target, batch, tdbTimeoutMs, token), {
        timeout: false,
        // Refused credentials say nothing about the receiver's health.
        errorFilter: (error: Error) => error instanceof TdbAuthError,
        errorThresholdPercentage: 50,
        volumeThreshold: 5,
        resetTimeout: 30_000,
      });
      this.breakers.set(origin, breaker);
    }
    return breaker;
  }

  private async run(request: SubmissionRequest, limits: SubmissionLimits): Promise<SubmissionReport> {
    const runId = uuidv7();
    const tally = new SubmissionTally(limits.acceptedBatchesReported);
    const retryRejected = request.retryRejected === true;
    // Each platform's batch fills as the pages go by and leaves when it holds TDB_MAX_BATCH.
    const pending = new Map<string, ValidStatement[]>();
    let refusedCredentials: TdbAuthError | null = null;
    const send = async (platformId: string) => {
      const batch = pending.get(platformId) ?? [];
      pending.delete(platformId);
      if (refusedCredentials) {
        // The same credentials would be refused again: the rest waits for the next run.
        tally.add(await this.record(runId, request.url, platformId, batch, 'failed', refusedCredentials.status, { message: `not sent: ${refusedCredentials.message}` }, 0));
        return;
      }
      const sent = await this.sendBatch(runId, request.url, platformId, batch, request.token);
      for (const report of sent.reports) tally.add(report);
      refusedCredentials = sent.refusedCredentials;
    };

    let position: SubmissionPosition | null = request.resumeAfter ?? null;
    let queued = 0;
    let full = false;
    while (!full) {
      const page = await this.page(request, position, limits.pageSize);
      for (const row of page) {
        position = { informedAt: row.informed_at, tenant: row.tenant, puid: row.puid };
        // A statement the database has answered for is counted by that answer, without being
        // read: it is not sent again, whatever the rules say of it now (e.g. a puid reused since).
        if (row.outcome === 'accepted') {
          tally.skipped++;
          continue;
        }
        if (row.outcome === 'rejected' && !retryRejected) {
          tally.previouslyRejected++;
          continue;
        }
        const stored = { statement: row.statement ?? {}, conflicting_event_ids: row.conflicting_event_ids ?? [] };
        if (statementProblems(stored).length > 0) {
          tally.invalid++;
          continue;
        }
        const batch = pending.get(row.tenant) ?? [];
        batch.push({ platformId: row.tenant, puid: row.puid, statement: stored.statement });
        pending.set(row.tenant, batch);
        queued++;
        if (batch.length === TDB_MAX_BATCH) await send(row.tenant);
        if (queued >= limits.maxPerRun) {
          full = true;
          break;
        }
      }
      if (page.length < limits.pageSize) break;
    }
    for (const platformId of [...pending.keys()]) await send(platformId);

    const remaining = full && position ? await this.countRemaining(request, position) : 0;
    return {
      runId,
      url: request.url,
      period: request.period,
      platformId: request.platformId,
      submitted: tally.submitted,
      skipped: tally.skipped,
      alreadyPresent: tally.alreadyPresent,
      previouslyRejected: tally.previouslyRejected,
      rejected: tally.rejected,
      failed: tally.failed,
      invalid: tally.invalid,
      remaining,
      resumeAfter: remaining > 0 && position ? encodeSubmissionPosition(position) : null,
      batches: tally.batches,
      acceptedBatchesOmitted: tally.acceptedBatchesOmitted,
    };
  }

  /**
   * The next statements of the period in the export's order, each with the database's earlier
   * verdict. The statement itself comes only with the ones to send: the rest are only counted.
   */
  private page(request: SubmissionRequest, after: SubmissionPosition | null, size: number): Promise<SubmissionRow[]> {
    return this.dataSource.query(
      `SELECT s.tenant, s.puid, to_char(s.informed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS informed_at, t.outcome,
              CASE WHEN ${TO_SEND} THEN s.statement END AS statement,
              CASE WHEN ${TO_SEND} THEN s.conflicting_event_ids END AS conflicting_event_ids
         FROM audit.statements_of_reasons s
         LEFT JOIN audit.tdb_submissions t ON t.tenant = s.tenant AND t.puid = s.puid
        WHERE ${IN_PERIOD_AFTER}
        ORDER BY s.informed_at, s.tenant, s.puid
        LIMIT $8`,
      [...this.periodParameters(request, after), size],
    );
  }

  private async countRemaining(request: SubmissionRequest, after: SubmissionPosition): Promise<number> {
    const [{ remaining }] = await this.dataSource.query(
      `SELECT count(*)::int AS remaining
         FROM audit.statements_of_reasons s
         LEFT JOIN audit.tdb_submissions t ON t.tenant = s.tenant AND t.puid = s.puid
        WHERE ${IN_PERIOD_AFTER} AND ${TO_SEND}`,
      this.periodParameters(request, after),
    );
    return remaining;
  }

  private periodParameters(request: SubmissionRequest, after: SubmissionPosition | null): unknown[] {
    return [request.period.from, request.period.to, request.platformId, request.retryRejected === true, after?.informedAt ?? null, after?.tenant ?? null, after?.puid ?? null];
  }

  /**
   * One batch, retried on transient failures. When a refusal names the bad statements, the rest
   * (which the database did not store: all-or-nothing) go again once, without them; the ones it
   * refused only for a puid it already holds are recorded as accepted.
   */
  private async sendBatch(
    runId: string,
    url: string,
    platformId: string,
    batch: ValidStatement[],
    token: string | undefined,
  ): Promise<{ reports: BatchReport[]; refusedCredentials: TdbAuthError | null }> {
    const outcome = await this.attempt(url, batch, token);
    if ('error' in outcome) {
      const error = outcome.error as Error & { code?: string };
      const status = error instanceof TdbTransientError || error instanceof TdbAuthError ? error.status : null;
      const answer = error instanceof TdbTransientError
        ? { message: error.message, status: error.status, body: error.body }
        : { message: error.code === 'EOPENBREAKER' ? 'circuit breaker open: the receiver kept failing' : error.message };
      const report = await this.record(runId, url, platformId, batch, 'failed', status, answer, outcome.attempts);
      return { reports: [report], refusedCredentials: error instanceof TdbAuthError ? error : null };
    }
    const { answer, attempts } = outcome;
    if (answer.accepted) return { reports: [await this.record(runId, url, platformId, batch, 'accepted', answer.status, null, attempts)], refusedCredentials: null };
    const named = refusedIndexes(answer.body, batch.length);
    const present = new Set(alreadyPresentIndexes(answer.body, batch.length));
    const reports: BatchReport[] = [];
    if (present.size > 0) {
      const held = batch.filter((_, index) => present.has(index));
      reports.push(await this.record(runId, url, platformId, held, 'accepted', answer.status, { alreadyPresent: true, answer: answer.body }, attempts));
    }
    const refused = named.length > 0 ? named.filter((index) => !present.has(index)).map((index) => batch[index]) : batch;
    if (refused.length > 0) reports.push(await this.record(runId, url, platformId, refused, 'rejected', answer.status, answer.body, attempts));
    const rest = batch.filter((_, index) => named.length > 0 && !named.includes(index));
    if (rest.length > 0) {
      const again = await this.sendBatch(runId, url, platformId, rest, token);
      reports.push(...again.reports);
      return { reports, refusedCredentials: again.refusedCredentials };
    }
    return { reports, refusedCredentials: null };
  }

  private async attempt(url: string, batch: ValidStatement[], token: string | undefined): Promise<Outcome> {
    const { tdbRetries, tdbBackoffMs } = this.settings.value;
    const breaker = this.breakerFor(url);
    const body = batch.map((entry) => entry.statement);
    for (let attempt = 0; ; attempt++) {
      try {
        return { answer: await breaker.fire(url, body, token), attempts: attempt + 1 };
      } catch (error) {
        const open = (error as { code?: string }).code === 'EOPENBREAKER';
        if (open || error instanceof TdbAuthError || attempt >= tdbRetries) return { error: error as Error, attempts: attempt + 1 };
        await new Promise((resolve) => setTimeout(resolve, backoffMs(tdbBackoffMs, attempt)));
      }
    }
  }

  private async record(runId: string, url: string, platformId: string, batch: ValidStatement[], outcome: BatchReport['outcome'], status: number | null, answer: unknown, attempts: number): Promise<BatchReport> {
    const puids = batch.map((entry) => entry.puid);
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO audit.tdb_submission_batches (id, run_id, tenant, target_url, puids, outcome, http_status, answer, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [uuidv7(), runId, platformId, url, puids, outcome, status, answer === null ? null : JSON.stringify(answer), attempts],
      );
      // A failure leaves no per-statement outcome: the statement is simply still to send.
      if (outcome !== 'failed') {
        await manager.query(
          `INSERT INTO audit.tdb_submissions (tenant, puid, target_url, outcome)
           SELECT $1, unnest($2::text[]), $3, $4
           ON CONFLICT (tenant, puid) DO UPDATE SET target_url = EXCLUDED.target_url, outcome = EXCLUDED.outcome, submitted_at = now()
           WHERE audit.tdb_submissions.outcome <> 'accepted'`,
          [platformId, puids, url, outcome],
        );
      }
    });
    const alreadyPresent = outcome === 'accepted' && (answer as { alreadyPresent?: boolean } | null)?.alreadyPresent === true;
    return { platformId, puids, outcome, status, attempts, ...(alreadyPresent ? { alreadyPresent: true as const } : {}), ...(outcome === 'accepted' ? {} : { answer }) };
  }
}

import { Injectable } from '@nestjs/common';
import { uuidv7 } from '@vigie/contracts';
import { TDB_MAX_BATCH } from '@vigie/tdb';
import CircuitBreaker from 'opossum';
import { DataSource } from 'typeorm';
import { ProjectionSettingsProvider } from '../../projections/services/projection-settings';
import type { Period } from '../../reports/services/report-scope';
import { StatementsExportService, type ValidStatement } from './statements-export.service';
import { alreadyPresentIndexes, backoffMs, postBatch, refusedIndexes, TdbAuthError, TdbTransientError, type TdbAnswer } from './tdb-http';

export interface SubmissionRequest {
  readonly url: string;
  readonly period: Period;
  readonly platformId: string | null;
  /** Send again statements the database refused before (default: a refusal is final until asked). */
  readonly retryRejected?: boolean;
  /** The platform's API token for the database (bearer); only with `platformId`. Never stored. */
  readonly token?: string;
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
  /** Statements not delivered (5xx or timeouts after every retry, breaker open): the next run sends them. */
  readonly failed: number;
  /** Statements the export left out (they break a rule), never sent. */
  readonly invalid: number;
  readonly batches: BatchReport[];
}

type Outcome = { answer: TdbAnswer; attempts: number } | { error: Error; attempts: number };

/**
 * Sends the export's valid statements of reasons to a Transparency Database, idempotent by
 * `puid`: what it accepted is remembered in `audit.tdb_submissions` and never sent again.
 * A batch is all-or-nothing on the receiving side, so each one is one request for one
 * platform (the database files statements under the platform that sends them).
 */
@Injectable()
export class TdbSubmissionService {
  private readonly breakers = new Map<string, CircuitBreaker<[string, Record<string, unknown>[], string | undefined], TdbAnswer>>();
  /** Runs one at a time, so two overlapping runs cannot both send a puid neither has recorded yet. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly statements: StatementsExportService,
    private readonly settings: ProjectionSettingsProvider,
  ) {}

  submit(request: SubmissionRequest): Promise<SubmissionReport> {
    const run = this.queue.then(() => this.run(request));
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

  private async run(request: SubmissionRequest): Promise<SubmissionReport> {
    const runId = uuidv7();
    const { valid, rejected: invalid } = await this.statements.validStatements(request.period, request.platformId);
    const known: { tenant: string; puid: string; outcome: string }[] = valid.length === 0
      ? []
      : await this.dataSource.query(
          `SELECT s.tenant, s.puid, s.outcome FROM audit.tdb_submissions s
            JOIN unnest($1::text[], $2::text[]) AS w(tenant, puid) ON w.tenant = s.tenant AND w.puid = s.puid`,
          [valid.map((v) => v.platformId), valid.map((v) => v.puid)],
        );
    const outcomeOf = new Map(known.map((row) => [`${row.tenant}\u0000${row.puid}`, row.outcome]));
    let skipped = 0;
    let previouslyRejected = 0;
    const byPlatform = new Map<string, ValidStatement[]>();
    for (const statement of valid) {
      const outcome = outcomeOf.get(`${statement.platformId}\u0000${statement.puid}`);
      if (outcome === 'accepted') {
        skipped++;
        continue;
      }
      if (outcome === 'rejected' && request.retryRejected !== true) {
        previouslyRejected++;
        continue;
      }
      const list = byPlatform.get(statement.platformId) ?? [];
      list.push(statement);
      byPlatform.set(statement.platformId, list);
    }

    const reports: BatchReport[] = [];
    let refusedCredentials: TdbAuthError | null = null;
    for (const [platformId, list] of byPlatform) {
      for (let i = 0; i < list.length; i += TDB_MAX_BATCH) {
        const batch = list.slice(i, i + TDB_MAX_BATCH);
        if (refusedCredentials) {
          // The same credentials would be refused again: the rest waits for the next run.
          reports.push(await this.record(runId, request.url, platformId, batch, 'failed', refusedCredentials.status, { message: `not sent: ${refusedCredentials.message}` }, 0));
          continue;
        }
        const sent = await this.sendBatch(runId, request.url, platformId, batch, request.token);
        reports.push(...sent.reports);
        refusedCredentials = sent.refusedCredentials;
      }
    }
    const count = (outcome: BatchReport['outcome'], alreadyPresent = false) =>
      reports.filter((r) => r.outcome === outcome && (r.alreadyPresent === true) === alreadyPresent).reduce((n, r) => n + r.puids.length, 0);
    return {
      runId,
      url: request.url,
      period: request.period,
      platformId: request.platformId,
      submitted: count('accepted'),
      skipped,
      alreadyPresent: count('accepted', true),
      previouslyRejected,
      rejected: count('rejected'),
      failed: count('failed'),
      invalid: invalid.length,
      batches: reports,
    };
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

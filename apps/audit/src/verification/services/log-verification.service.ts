import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { workerThreadExecArgv } from '@vigie/messaging';
import { SERVICE_SETTINGS } from '@vigie/service-kit';
import { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';
import type { AuditSettings } from '../../audit.settings';
import { VerificationException, VerificationExceptionCode } from '../exceptions/verification.exception';
import type { VerificationReport } from './log-verifier';
import {
  LOG_VERIFICATION_THREAD_FILE,
  LOG_VERIFICATION_THREAD_ROLE,
  type LogVerificationThreadReply,
  type LogVerificationThreadSettings,
} from './log-verification.worker';

/**
 * `verify` inside the service: the same walk as the CLI's, run in a worker thread (see
 * log-verification.worker.ts) so that its memory, a chain state per subject, is neither the
 * service's heap nor able to exhaust it, and the consumers and HTTP stay responsive meanwhile.
 * One walk at a time: callers who ask while one runs share its report.
 */
@Injectable()
export class LogVerification implements OnModuleDestroy {
  private inFlight: Promise<VerificationReport> | undefined;
  private thread: Worker | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_SETTINGS) private readonly settings: AuditSettings,
  ) {}

  verify(): Promise<VerificationReport> {
    this.inFlight ??= this.walk().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** A walk in progress would keep a stopping service alive until it ends: it is stopped instead. */
  async onModuleDestroy(): Promise<void> {
    await this.thread?.terminate();
  }

  /** One walk in a thread of its own (protected: the single-flight spec replaces it). */
  protected walk(): Promise<VerificationReport> {
    const databaseUrl = (this.dataSource.options as { url?: string }).url;
    if (!databaseUrl) return Promise.reject(new Error('the audit data source has no URL to give the verification thread'));
    const workerData: LogVerificationThreadSettings = { role: LOG_VERIFICATION_THREAD_ROLE, databaseUrl };
    const heapMb = this.settings.verifyHeapMb;
    return new Promise<VerificationReport>((resolve, reject) => {
      const worker = new Worker(LOG_VERIFICATION_THREAD_FILE, {
        workerData,
        execArgv: workerThreadExecArgv(LOG_VERIFICATION_THREAD_FILE),
        // A 64 MB semi-space, as the CLI's launcher gives `audit verify`: pages of rows die young
        // instead of being promoted, which keeps the old generation near the live chain states.
        resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 192 },
      });
      this.thread = worker;
      worker.once('exit', () => {
        if (this.thread === worker) this.thread = undefined;
      });
      let settled = false;
      worker.once('message', (reply: LogVerificationThreadReply) => {
        settled = true;
        if (reply.kind === 'report') resolve(reply.report);
        else reject(new Error(`verification failed: ${reply.message}`));
      });
      worker.once('error', (error: Error & { code?: string }) => {
        if (settled) return;
        settled = true;
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new VerificationException(
                VerificationExceptionCode.LOG_TOO_LARGE,
                `the log has more chains than a walk fits in ${heapMb} MB (AUDIT_VERIFY_HEAP_MB); run \`npm run vigie -- audit verify\` instead, or raise it`,
              )
            : error,
        );
      });
      worker.once('exit', (code) => {
        if (settled) return;
        settled = true;
        reject(new Error(`the verification thread exited (code ${code}) without a report`));
      });
    });
  }
}


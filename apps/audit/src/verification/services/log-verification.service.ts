import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { verifyAuditLog, type VerificationReport } from './log-verifier';

/**
 * `verify` inside the service (same code as the CLI's direct-to-database run). One walk at a
 * time: a walk holds a chain head per subject (about 1.8 GB for 10,000,000 records over
 * 2,000,000 subjects), so callers who ask while one runs share its report instead of starting
 * another next to it.
 */
@Injectable()
export class LogVerification {
  private inFlight: Promise<VerificationReport> | undefined;

  constructor(private readonly dataSource: DataSource) {}

  verify(): Promise<VerificationReport> {
    this.inFlight ??= verifyAuditLog((sql, params) => this.dataSource.query(sql, params)).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }
}

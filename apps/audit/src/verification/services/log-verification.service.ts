import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { verifyAuditLog, type VerificationReport, type VerifyOptions } from './log-verifier';

/** `verify` inside the service (same code as the CLI's direct-to-database run). */
@Injectable()
export class LogVerification {
  constructor(private readonly dataSource: DataSource) {}

  verify(options: VerifyOptions = {}): Promise<VerificationReport> {
    return verifyAuditLog((sql, params) => this.dataSource.query(sql, params), options);
  }
}

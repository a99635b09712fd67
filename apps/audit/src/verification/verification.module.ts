import { Module } from '@nestjs/common';
import { CheckpointsModule } from '../checkpoints/checkpoints.module';
import { VerificationController } from './controllers/verification.controller';
import { EvidenceBundles } from './services/evidence-bundles.service';
import { LogVerification } from './services/log-verification.service';

/** `verify` over the whole log and per-case evidence bundles. */
@Module({
  imports: [CheckpointsModule],
  controllers: [VerificationController],
  providers: [LogVerification, EvidenceBundles],
  exports: [LogVerification],
})
export class VerificationModule {}

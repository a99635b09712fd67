import { Module } from '@nestjs/common';
import { CheckpointsController } from './controllers/checkpoints.controller';
import { CheckpointIssuer } from './services/checkpoint-issuer.service';
import { SigningKeys } from './services/signing-keys.service';

/** Signed checkpoints over the chain heads (timer and on demand) and the public keys that verify them. */
@Module({
  controllers: [CheckpointsController],
  providers: [SigningKeys, CheckpointIssuer],
  exports: [SigningKeys, CheckpointIssuer],
})
export class CheckpointsModule {}

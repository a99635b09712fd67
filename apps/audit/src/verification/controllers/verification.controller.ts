import { Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowCallers, RemoteApiKeyGuard, type AuthenticatedRequest } from '@vigie/service-kit';
import { EvidenceBundles } from '../services/evidence-bundles.service';
import { LogVerification } from '../services/log-verification.service';

@ApiTags('audit log')
@ApiBearerAuth()
@Controller()
@UseGuards(RemoteApiKeyGuard)
export class VerificationController {
  constructor(
    private readonly verification: LogVerification,
    private readonly bundles: EvidenceBundles,
  ) {}

  @Post('admin/verify')
  @HttpCode(200)
  @AllowCallers('admin', 'regulator')
  @ApiOperation({
    summary: 'Verify the whole audit log',
    description:
      'Recomputes every chain and each platform\'s latest checkpoint. `ok` is false when any record was edited, deleted, reordered or inserted, or newest records were removed (`findings` names them), or a checkpoint signature fails. One walk runs at a time, in a thread with a heap of its own (`AUDIT_VERIFY_HEAP_MB`): a call made while one runs gets that walk\'s report, and a log with more chains than that heap holds gets 503 `LOG_TOO_LARGE`. For a progress bar, and for logs of millions of records, use `npm run vigie -- audit verify`.',
  })
  verify() {
    return this.verification.verify();
  }

  @Get('cases/:caseId/evidence')
  @AllowCallers('officer', 'regulator', 'admin')
  @ApiOperation({
    summary: "A case's evidence bundle, verifiable offline",
    description:
      "The case's records, their whole chains from seq 1, the signed checkpoint covering them and Merkle proofs of the chain heads. Verify with `npm run vigie -- audit verify-bundle <file> --public-key <pem>` (public keys: `GET /keys`). An officer bound to a platform sees only that platform's cases. Bundles are built one at a time; with 4 already waiting, 503 `BUSY` with `Retry-After`.",
  })
  evidence(@Param('caseId') caseId: string, @Req() request: AuthenticatedRequest) {
    return this.bundles.forCase(caseId, request.caller);
  }
}

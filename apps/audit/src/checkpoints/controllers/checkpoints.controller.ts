import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowCallers, RemoteApiKeyGuard } from '@vigie/service-kit';
import { CheckpointIssuer } from '../services/checkpoint-issuer.service';
import { SigningKeys } from '../services/signing-keys.service';

@ApiTags('audit log')
@Controller()
export class CheckpointsController {
  constructor(
    private readonly issuer: CheckpointIssuer,
    private readonly keys: SigningKeys,
  ) {}

  @Post('admin/checkpoints')
  @HttpCode(201)
  @UseGuards(RemoteApiKeyGuard)
  @AllowCallers('admin')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Issue signed checkpoints now',
    description: 'One Ed25519-signed checkpoint per platform whose chains moved since its last one; an empty list when nothing moved.',
  })
  async issue() {
    return { checkpoints: await this.issuer.issue() };
  }

  @Get('keys')
  @ApiOperation({
    summary: 'Public keys that verify checkpoints (no authentication)',
    description: 'Every key that ever signed, with its validity; `validUntil` is null for the key in use. `keyId` is the SHA-256 of the key (SPKI DER), hex.',
  })
  async publicKeys() {
    return { keys: await this.keys.list() };
  }
}

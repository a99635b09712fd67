import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { openApiSchema, parseRequestBody } from '@vigie/service-kit';
import { CreatePrincipalKeyBody } from '../dtos/platform.dtos';
import { AllowRoles, ApiKeyGuard } from '../guards/api-key.guard';
import { PlatformRegistry } from '../services/platform-registry.service';

@ApiTags('keys (admin)')
@ApiBearerAuth()
@Controller('admin/keys')
@UseGuards(ApiKeyGuard)
@AllowRoles('admin')
export class KeysAdminController {
  constructor(private readonly registry: PlatformRegistry) {}

  @Post()
  @ApiOperation({
    summary: 'Issue a key for a moderator, officer, trusted flagger, authority, regulator or admin (shown once)',
    description: 'The other services verify every key through `GET /auth/whoami`; the key is stored only as a hash.',
  })
  @ApiBody({ schema: openApiSchema(CreatePrincipalKeyBody) })
  create(@Body() body: unknown) {
    return this.registry.createPrincipalKey(parseRequestBody(CreatePrincipalKeyBody, body));
  }

  @Get()
  @ApiOperation({ summary: 'Every key that is not a platform key (never the keys themselves)' })
  list() {
    return this.registry.principalKeys();
  }

  @Delete(':keyId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a key; it stops working within seconds' })
  revoke(@Param('keyId') keyId: string) {
    return this.registry.revokePrincipalKey(keyId);
  }
}

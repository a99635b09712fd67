import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { openApiSchema, parseRequestBody } from '@vigie/service-kit';
import { CreateApiKeyBody, CreatePlatformBody } from '../dtos/platform.dtos';
import { AllowRoles, ApiKeyGuard } from '../guards/api-key.guard';
import { PlatformRegistry } from '../services/platform-registry.service';

@ApiTags('platforms (admin)')
@ApiBearerAuth()
@Controller('admin/platforms')
@UseGuards(ApiKeyGuard)
@AllowRoles('admin')
export class PlatformsAdminController {
  constructor(private readonly registry: PlatformRegistry) {}

  @Post()
  @ApiOperation({
    summary: 'Register a platform',
    description: 'Returns its first API key and, when a webhook URL is given, the webhook signing secret. Both are shown only once.',
  })
  @ApiBody({ schema: openApiSchema(CreatePlatformBody) })
  create(@Body() body: unknown) {
    return this.registry.create(parseRequestBody(CreatePlatformBody, body));
  }

  @Get()
  @ApiOperation({ summary: 'List platforms and their keys (never the secrets)' })
  list() {
    return this.registry.list();
  }

  @Get(':platformId')
  @ApiOperation({ summary: 'One platform and its keys' })
  get(@Param('platformId') platformId: string) {
    return this.registry.get(platformId);
  }

  @Get(':platformId/delivery-target')
  @ApiOperation({
    summary: 'Where and how takedown commands reach the platform, with the webhook signing secret',
    description: 'For the notice-and-takedown service (an admin key): the secret is unsealed for signing and never logged.',
  })
  deliveryTarget(@Param('platformId') platformId: string) {
    return this.registry.deliveryTarget(platformId);
  }

  @Post(':platformId/api-keys')
  @ApiOperation({ summary: 'Issue another API key for a platform (shown once)' })
  @ApiBody({ schema: openApiSchema(CreateApiKeyBody) })
  createApiKey(@Param('platformId') platformId: string, @Body() body: unknown) {
    return this.registry.createApiKey(platformId, parseRequestBody(CreateApiKeyBody, body).label);
  }

  @Delete(':platformId/api-keys/:keyId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key; it stops working within seconds' })
  revokeApiKey(@Param('platformId') platformId: string, @Param('keyId') keyId: string) {
    return this.registry.revokeApiKey(platformId, keyId);
  }
}

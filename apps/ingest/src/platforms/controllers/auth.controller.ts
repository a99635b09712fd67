import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CALLER_ROLES } from '@vigie/service-kit';
import { AllowRoles, ApiKeyGuard, type AuthenticatedRequest } from '../guards/api-key.guard';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth')
@UseGuards(ApiKeyGuard)
@AllowRoles(...CALLER_ROLES)
export class AuthController {
  /**
   * Who the presented key is. The other services authenticate their callers through this
   * endpoint, so API keys live (hashed) in one registry only.
   */
  @Get('whoami')
  @ApiOperation({ summary: 'The role, platform and principal of the presented API key' })
  whoami(@Req() request: AuthenticatedRequest) {
    const { keyId, role, platformId, principalId } = request.principal;
    return { keyId, role, platformId, principalId };
  }
}

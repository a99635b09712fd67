import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowRoles, ApiKeyGuard, type AuthenticatedRequest } from '../guards/api-key.guard';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth')
@UseGuards(ApiKeyGuard)
@AllowRoles('admin', 'platform')
export class AuthController {
  /**
   * Who the presented key is. The other services authenticate their callers through this
   * endpoint, so API keys live (hashed) in one registry only.
   */
  @Get('whoami')
  @ApiOperation({ summary: 'The role and platform of the presented API key' })
  whoami(@Req() request: AuthenticatedRequest) {
    const { keyId, role, platformId } = request.principal;
    return { keyId, role, platformId };
  }
}

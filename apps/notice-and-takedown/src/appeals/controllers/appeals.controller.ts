import { Body, Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowCallers, openApiSchema, parseRequestBody, RemoteApiKeyGuard, type AuthenticatedRequest } from '@vigie/service-kit';
import { DecideAppealBody, SubmitAppealBody } from '../dtos/appeal.dtos';
import { AppealsService } from '../services/appeals.service';

@ApiTags('appeals')
@ApiBearerAuth()
@Controller()
@UseGuards(RemoteApiKeyGuard)
export class AppealsController {
  constructor(private readonly appeals: AppealsService) {}

  @Post('platforms/:platformId/cases/:caseId/appeals')
  @HttpCode(201)
  @AllowCallers('platform', 'admin')
  @ApiOperation({ summary: 'Forward a complaint against a decision (DSA Art. 20), within six months of the statement of reasons' })
  @ApiBody({ schema: openApiSchema(SubmitAppealBody) })
  submit(@Param('platformId') platformId: string, @Param('caseId') caseId: string, @Body() body: unknown, @Req() request: AuthenticatedRequest) {
    return this.appeals.submit(platformId, caseId, parseRequestBody(SubmitAppealBody, body), request.caller);
  }

  @Get('review/appeals')
  @AllowCallers('moderator', 'admin')
  @ApiOperation({ summary: 'Appeals waiting for a decision' })
  pending(@Req() request: AuthenticatedRequest) {
    return this.appeals.pending(request.caller);
  }

  @Post('review/appeals/:appealId/decision')
  @HttpCode(201)
  @AllowCallers('moderator', 'admin')
  @ApiOperation({ summary: 'Decide an appeal: a different moderator than the original decision; reversing a removal reinstates the ad' })
  @ApiBody({ schema: openApiSchema(DecideAppealBody) })
  decide(@Param('appealId') appealId: string, @Body() body: unknown, @Req() request: AuthenticatedRequest) {
    return this.appeals.decide(appealId, parseRequestBody(DecideAppealBody, body), request.caller);
  }
}

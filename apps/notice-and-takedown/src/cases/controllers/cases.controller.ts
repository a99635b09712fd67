import { Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AllowCallers, RemoteApiKeyGuard, type AuthenticatedRequest } from '@vigie/service-kit';
import { CaseException, CaseExceptionCode } from '../exceptions/case.exception';
import { CaseView } from '../services/case-view.service';

const STATUSES = ['open', 'decided', 'closed'];

@ApiTags('cases')
@ApiBearerAuth()
@Controller()
@UseGuards(RemoteApiKeyGuard)
@AllowCallers('platform', 'moderator', 'officer', 'regulator', 'admin')
export class CasesController {
  constructor(private readonly view: CaseView) {}

  @Get('cases')
  @ApiOperation({ summary: 'Cases, newest first; a platform-bound key sees only its platform' })
  @ApiQuery({ name: 'platformId', required: false })
  @ApiQuery({ name: 'status', required: false, enum: STATUSES })
  @ApiQuery({ name: 'limit', required: false, description: '1..500, default 100' })
  list(@Req() request: AuthenticatedRequest, @Query('platformId') platformId?: string, @Query('status') status?: string, @Query('limit') limit?: string) {
    const errors = [];
    if (status !== undefined && !STATUSES.includes(status)) errors.push({ field: 'status', reason: `one of ${STATUSES.join(', ')}` });
    const size = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(size) || size < 1 || size > 500) errors.push({ field: 'limit', reason: 'an integer from 1 to 500' });
    if (errors.length > 0) throw new CaseException(CaseExceptionCode.INVALID_DECISION, `invalid query: ${errors[0]?.field} must be ${errors[0]?.reason}`, errors);
    return this.view.list(request.caller, { platformId, status, limit: size });
  }

  @Get('cases/:caseId')
  @ApiOperation({ summary: 'A case: its clock, SLA states, notices, decisions, commands, appeals and referral' })
  get(@Param('caseId') caseId: string, @Req() request: AuthenticatedRequest) {
    return this.view.get(caseId, request.caller);
  }

  @Get('cases/:caseId/referral-package')
  @AllowCallers('officer', 'authority', 'admin')
  @ApiOperation({ summary: 'The DSA Art. 18 referral package for the authority (JSON, timestamped)' })
  referral(@Param('caseId') caseId: string, @Req() request: AuthenticatedRequest) {
    return this.view.referralPackage(caseId, request.caller);
  }

  @Get('platforms/:platformId/repeat-offenders')
  @AllowCallers('platform', 'officer', 'moderator', 'admin')
  @ApiOperation({ summary: 'Accounts and contacts behind repeated removals: suspension recommendations (DSA Art. 23)' })
  repeatOffenders(@Param('platformId') platformId: string) {
    return this.view.repeatOffenders(platformId);
  }
}

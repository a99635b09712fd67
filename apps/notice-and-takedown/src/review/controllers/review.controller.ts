import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AllowCallers, openApiSchema, parseRequestBody, RemoteApiKeyGuard, type AuthenticatedRequest } from '@vigie/service-kit';
import { CaseException, CaseExceptionCode } from '../../cases/exceptions/case.exception';
import { DecideCaseBody, PauseClockBody } from '../dtos/decision.dtos';
import { ReviewQueue } from '../services/review-queue.service';

@ApiTags('review')
@ApiBearerAuth()
@Controller('review')
@UseGuards(RemoteApiKeyGuard)
@AllowCallers('moderator', 'admin')
export class ReviewController {
  constructor(private readonly queue: ReviewQueue) {}

  @Get('queue')
  @ApiOperation({ summary: 'Cases waiting for a moderator: minors first, then authority orders and trusted flaggers, then by deadline' })
  @ApiQuery({ name: 'limit', required: false, description: '1..200, default 50' })
  list(@Req() request: AuthenticatedRequest, @Query('limit') limit?: string) {
    const size = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(size) || size < 1 || size > 200) {
      throw new CaseException(CaseExceptionCode.INVALID_DECISION, 'invalid query: limit must be an integer from 1 to 200', [
        { field: 'limit', reason: 'an integer from 1 to 200' },
      ]);
    }
    return this.queue.list(request.caller, size);
  }

  @Post('next')
  @HttpCode(200)
  @ApiOperation({ summary: 'Claim the first waiting case (lease of NAT_CLAIM_LEASE_SECONDS)' })
  next(@Req() request: AuthenticatedRequest) {
    return this.queue.claimNext(request.caller);
  }

  @Post('cases/:caseId/claim')
  @HttpCode(200)
  @ApiOperation({ summary: 'Claim (or renew the claim on) a case; 409 while another moderator holds it' })
  claim(@Param('caseId') caseId: string, @Req() request: AuthenticatedRequest) {
    return this.queue.claim(caseId, request.caller);
  }

  @Post('cases/:caseId/release')
  @HttpCode(204)
  @ApiOperation({ summary: 'Give a claimed case back to the queue' })
  release(@Param('caseId') caseId: string, @Req() request: AuthenticatedRequest) {
    return this.queue.release(caseId, request.caller);
  }

  @Post('cases/:caseId/decision')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Decide on a claimed case',
    description:
      'Sends the statement of reasons to the uploader (DSA Art. 17), informs the notifiers (Art. 16(5)), commands the platform, refers minors and trafficking to the police (Art. 18).',
  })
  @ApiBody({ schema: openApiSchema(DecideCaseBody) })
  decide(@Param('caseId') caseId: string, @Body() body: unknown, @Req() request: AuthenticatedRequest) {
    return this.queue.decide(caseId, parseRequestBody(DecideCaseBody, body), request.caller);
  }

  @Post('cases/:caseId/pause')
  @HttpCode(201)
  @ApiOperation({ summary: 'Pause the clock, e.g. while asking the notifier for clarification; the reason is recorded' })
  @ApiBody({ schema: openApiSchema(PauseClockBody) })
  pause(@Param('caseId') caseId: string, @Body() body: unknown, @Req() request: AuthenticatedRequest) {
    return this.queue.pause(caseId, parseRequestBody(PauseClockBody, body), request.caller);
  }

  @Post('cases/:caseId/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused clock' })
  resume(@Param('caseId') caseId: string, @Req() request: AuthenticatedRequest) {
    return this.queue.resume(caseId, request.caller);
  }
}

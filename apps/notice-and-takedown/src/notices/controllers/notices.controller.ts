import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AllowAnonymous,
  AllowCallers,
  openApiSchema,
  parseRequestBody,
  RemoteApiKeyGuard,
  SERVICE_SETTINGS,
  type AuthenticatedRequest,
  type MaybeAuthenticatedRequest,
} from '@vigie/service-kit';
import { DataSource } from 'typeorm';
import { CaseException, CaseExceptionCode } from '../../cases/exceptions/case.exception';
import type { NoticeAndTakedownSettings } from '../../notice-and-takedown.settings';
import { RejectNoticeBody, SubmitNoticeBody } from '../dtos/notice.dtos';
import { NoticeException, NoticeExceptionCode } from '../exceptions/notice.exception';
import { NoticeIntake } from '../services/notice-intake.service';
import { NoticeJudgement } from '../services/notice-judgement.service';
import { PublicNoticeLimiter, rateLimitClient } from '../services/public-notice-limiter';

@ApiTags('notices')
@ApiBearerAuth()
@Controller('notices')
@UseGuards(RemoteApiKeyGuard)
export class NoticesController {
  private readonly limiter: PublicNoticeLimiter;

  constructor(
    private readonly intake: NoticeIntake,
    private readonly judgement: NoticeJudgement,
    private readonly dataSource: DataSource,
    @Inject(SERVICE_SETTINGS) settings: NoticeAndTakedownSettings,
  ) {
    this.limiter = new PublicNoticeLimiter(settings.publicNoticesPerMinute);
  }

  @Post()
  @HttpCode(201)
  @AllowAnonymous()
  @AllowCallers('trusted-flagger', 'authority', 'admin')
  @ApiOperation({
    summary: 'Submit a notice (DSA Art. 16) or an authority order',
    description:
      'Anyone may notify without a key (rate-limited per address; name and e-mail required except for offences involving minors). ' +
      'Trusted flaggers (Art. 22) and authorities send their key and are handled first. The receipt time is the server\'s. ' +
      'Each ad gets one case; a notice on an ad that already has one joins it. An ad not yet ingested is accepted by id.',
  })
  @ApiBody({ schema: openApiSchema(SubmitNoticeBody) })
  async submit(@Body() body: unknown, @Req() request: MaybeAuthenticatedRequest) {
    if (request.caller === null) {
      const waitSeconds = this.limiter.take(rateLimitClient(request.ip), Date.now());
      if (waitSeconds > 0) {
        throw new NoticeException(
          NoticeExceptionCode.RATE_LIMITED,
          `too many notices from this address; retry in ${waitSeconds} s`,
          undefined,
          { retryAfterSeconds: waitSeconds },
          waitSeconds,
        );
      }
    }
    const parsed = (() => {
      try {
        return parseRequestBody(SubmitNoticeBody, body);
      } catch (error) {
        const response = (error as { getResponse?: () => { errors?: { field: string; reason: string }[] } }).getResponse?.();
        const errors = response?.errors ?? [];
        throw new NoticeException(NoticeExceptionCode.INVALID_NOTICE, `invalid notice: ${errors[0]?.field} ${errors[0]?.reason}`, errors);
      }
    })();
    return this.intake.submit(parsed, request.caller, request.ip);
  }

  @Get(':noticeId')
  @AllowCallers('trusted-flagger', 'authority', 'moderator', 'officer', 'regulator', 'admin')
  @ApiOperation({ summary: 'A notice and its cases: for its own notifier, and for moderators and officers of its platform' })
  async get(@Param('noticeId') noticeId: string, @Req() request: AuthenticatedRequest) {
    const caller = request.caller;
    const [notice] = /^[0-9a-f-]{36}$/i.test(noticeId)
      ? await this.dataSource.query(
          `SELECT n.id, n.received_at, n.source_type, n.category, n.status, n.judged_at, n.rejection_reason, n.notifier_key,
                  n.locations, n.authority_order,
                  COALESCE(json_agg(json_build_object('caseId', c.id, 'platformAdId', c.ad_id, 'status', c.status, 'action', c.action,
                           'notifierInformedAt', cn.notifier_informed_at) ORDER BY c.id) FILTER (WHERE c.id IS NOT NULL), '[]') AS cases
             FROM notice_and_takedown.notices n
             LEFT JOIN notice_and_takedown.case_notices cn ON cn.notice_id = n.id
             LEFT JOIN notice_and_takedown.cases c ON c.id = cn.case_id
            WHERE n.id = $1 GROUP BY n.id`,
          [noticeId],
        )
      : [];
    const platformId = notice?.locations?.[0]?.platformId;
    const ownNotice = notice?.notifier_key === `key:${caller.keyId}`;
    const staff = ['moderator', 'officer', 'regulator', 'admin'].includes(caller.role) && (caller.platformId === null || caller.platformId === platformId);
    if (!notice || !(ownNotice || staff)) throw new CaseException(CaseExceptionCode.NOTICE_NOT_FOUND, `no notice "${noticeId}"`);
    return {
      noticeId: notice.id,
      receivedAt: notice.received_at.toISOString(),
      sourceType: notice.source_type,
      category: notice.category,
      status: notice.status,
      judgedAt: notice.judged_at?.toISOString() ?? null,
      rejectionReason: notice.rejection_reason,
      locations: notice.locations,
      authorityOrder: notice.authority_order,
      cases: notice.cases,
    };
  }

  @Post(':noticeId/qualify')
  @HttpCode(200)
  @AllowCallers('moderator', 'admin')
  @ApiOperation({ summary: 'The notice gives actual knowledge (DSA Art. 16(3)): knowledge dates back to its receipt' })
  qualify(@Param('noticeId') noticeId: string, @Req() request: AuthenticatedRequest) {
    return this.judgement.judgeOne(noticeId, { kind: 'qualified' }, request.caller);
  }

  @Post(':noticeId/reject')
  @HttpCode(200)
  @AllowCallers('moderator', 'admin')
  @ApiOperation({ summary: 'The notice is insufficient or unfounded; manifestly unfounded notices count against the notifier (Art. 23(2))' })
  @ApiBody({ schema: openApiSchema(RejectNoticeBody) })
  reject(@Param('noticeId') noticeId: string, @Body() body: unknown, @Req() request: AuthenticatedRequest) {
    return this.judgement.judgeOne(noticeId, { kind: 'rejected', ...parseRequestBody(RejectNoticeBody, body) }, request.caller);
  }
}

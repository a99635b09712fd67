import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowCallers, RemoteApiKeyGuard } from '@vigie/service-kit';
import { parsePeriod } from '../../reports/services/report-scope';
import { ExportException, ExportExceptionCode } from '../exceptions/export.exception';
import { decodeSubmissionPosition, TdbSubmissionService, type SubmissionPosition } from '../services/tdb-submission.service';

interface SubmitBody {
  url?: unknown;
  from?: unknown;
  to?: unknown;
  platformId?: unknown;
  retryRejected?: unknown;
  token?: unknown;
  resumeAfter?: unknown;
}

/** Visible ASCII only (the database's tokens look like `X|ybqk…`): no header injection. */
const TOKEN_PATTERN = /^[\x21-\x7e]{1,1024}$/;

function resumePosition(body: SubmitBody): SubmissionPosition | undefined {
  if (body.resumeAfter === undefined || body.resumeAfter === null) return undefined;
  const position = typeof body.resumeAfter === 'string' ? decodeSubmissionPosition(body.resumeAfter) : null;
  if (position === null) {
    throw new ExportException(ExportExceptionCode.INVALID_REQUEST, "invalid request: resumeAfter must be an earlier run's resumeAfter", [{ field: 'resumeAfter', reason: "an earlier run's resumeAfter, as it was given" }]);
  }
  return position;
}

function optionalString(body: SubmitBody, field: 'from' | 'to' | 'platformId'): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ExportException(ExportExceptionCode.INVALID_REQUEST, `invalid request: ${field} must be a string`, [{ field, reason: 'a string' }]);
  return value;
}

@ApiTags('exports')
@ApiBearerAuth()
@Controller('admin/exports')
@UseGuards(RemoteApiKeyGuard)
@AllowCallers('admin')
export class TdbSubmissionController {
  constructor(private readonly submissions: TdbSubmissionService) {}

  @Post('statements-of-reasons/submit')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Send the valid statements of reasons to a Transparency Database URL, in batches of 1–100 per platform; idempotent by puid. ' +
      'At most AUDIT_TDB_MAX_PER_RUN (50,000) statements a run: `remaining` says how many are left, and `resumeAfter`, given back, starts the next run there. ' +
      'Refused and failed batches are listed in full, accepted ones only the first 100 (`acceptedBatchesOmitted` counts the rest)',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['url'],
      properties: {
        url: { type: 'string', format: 'uri' },
        from: { type: 'string' },
        to: { type: 'string' },
        platformId: { type: 'string' },
        retryRejected: { type: 'boolean', description: 'send again statements refused in an earlier run' },
        token: {
          type: 'string',
          description: "the platform's API token for the database, sent as a bearer token and never stored; needs platformId (a token files statements under one platform)",
        },
        resumeAfter: {
          type: 'string',
          description: "an earlier run's resumeAfter (same period and platform): start after the statements that run went through instead of at the period's beginning",
        },
      },
    },
  })
  submit(@Body() body: SubmitBody | undefined) {
    const request = body ?? {};
    let url: URL | null = null;
    try {
      url = typeof request.url === 'string' ? new URL(request.url) : null;
    } catch {
      url = null;
    }
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ExportException(ExportExceptionCode.INVALID_REQUEST, 'invalid request: url must be an http(s) URL', [{ field: 'url', reason: 'an http(s) URL' }]);
    }
    if (request.retryRejected !== undefined && typeof request.retryRejected !== 'boolean') {
      throw new ExportException(ExportExceptionCode.INVALID_REQUEST, 'invalid request: retryRejected must be a boolean', [{ field: 'retryRejected', reason: 'a boolean' }]);
    }
    const platformId = optionalString(request, 'platformId');
    const resumeAfter = resumePosition(request);
    if (request.token !== undefined && (typeof request.token !== 'string' || !TOKEN_PATTERN.test(request.token))) {
      throw new ExportException(ExportExceptionCode.INVALID_REQUEST, 'invalid request: token must be 1 to 1,024 visible ASCII characters', [{ field: 'token', reason: 'visible ASCII, 1 to 1,024 characters' }]);
    }
    if (request.token !== undefined && platformId === undefined) {
      throw new ExportException(ExportExceptionCode.INVALID_REQUEST, "invalid request: a token files statements under one platform's account: name it with platformId", [{ field: 'platformId', reason: 'required with a token' }]);
    }
    return this.submissions.submit({
      url: url.toString(),
      period: parsePeriod(optionalString(request, 'from'), optionalString(request, 'to')),
      platformId: platformId ?? null,
      retryRejected: request.retryRejected === true,
      ...(typeof request.token === 'string' ? { token: request.token } : {}),
      ...(resumeAfter ? { resumeAfter } : {}),
    });
  }
}

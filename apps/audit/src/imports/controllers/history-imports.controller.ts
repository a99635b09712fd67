import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { PLATFORM_ID_PATTERN, UUID_V7_PATTERN } from '@vigie/contracts';
import { AllowCallers, RemoteApiKeyGuard, type AuthenticatedRequest } from '@vigie/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { parseLimit, platformScope } from '../../reports/services/report-scope';
import { HistoryImportException, HistoryImportExceptionCode } from '../exceptions/history-import.exception';
import { HistoryImportService, type HistoryImportFormat } from '../services/history-import.service';
import { MODERATION_LOG_COLUMNS } from '../services/moderation-log-rows';

const PLATFORM_ID = new RegExp(PLATFORM_ID_PATTERN);
const UUID_V7 = new RegExp(UUID_V7_PATTERN);
const FORMAT_BY_CONTENT_TYPE: Record<string, HistoryImportFormat> = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson' };

@ApiTags('imports')
@ApiBearerAuth()
@Controller('imports')
@UseGuards(RemoteApiKeyGuard)
@AllowCallers('officer', 'admin')
export class HistoryImportsController {
  constructor(private readonly imports: HistoryImportService) {}

  @Post('moderation-log')
  @HttpCode(200)
  @ApiConsumes('text/csv', 'application/x-ndjson')
  @ApiOperation({
    summary: "Replay a platform's past moderation log into the audit log (CSV with a header, or NDJSON)",
    description:
      `Columns / keys: ${MODERATION_LOG_COLUMNS.join(', ')}. Required: adId, category, and noticeReceivedAt or knowledgeAt; ` +
      'timestamps are ISO-8601 with a time zone. Streamed with backpressure and recorded in chunks; follow the progress with ' +
      '`GET /imports/{importId}`. The answer counts rows imported, already imported (a re-sent file adds nothing twice) and ' +
      'rejected, and lists each rejected row (the first 1,000) with its field and reason. An officer imports for its own platform.',
  })
  @ApiQuery({ name: 'platformId', required: false, description: 'required for admin keys and officers not bound to a platform' })
  async importModerationLog(
    @Req() request: AuthenticatedRequest & FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('platformId') platformId?: string,
  ) {
    const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const format = FORMAT_BY_CONTENT_TYPE[contentType];
    const fail = (error: HistoryImportException) => {
      // The upload is left unread: answer, then close, or the next request on this
      // keep-alive connection would wait behind the unread bytes.
      void reply.header('Connection', 'close');
      reply.raw.once('finish', () => request.raw.destroy());
      return error;
    };
    if (format === undefined) {
      throw fail(new HistoryImportException(HistoryImportExceptionCode.WRONG_CONTENT_TYPE, 'send the log as text/csv (with a header line) or application/x-ndjson'));
    }
    const platform = platformScope(request.caller, platformId);
    if (platform === null) {
      throw fail(new HistoryImportException(HistoryImportExceptionCode.INVALID_REQUEST, 'platformId is required', [{ field: 'platformId', reason: 'the platform whose log this is' }]));
    }
    if (!PLATFORM_ID.test(platform)) {
      throw fail(new HistoryImportException(HistoryImportExceptionCode.INVALID_REQUEST, 'platformId is not a valid platform id', [{ field: 'platformId', reason: 'a platform id' }]));
    }
    const length = Number(request.headers['content-length']);
    try {
      return await this.imports.run({
        platformId: platform,
        format,
        body: request.body as Readable,
        bytesExpected: Number.isSafeInteger(length) && length >= 0 ? length : null,
        requestedBy: request.caller.principalId ?? `${request.caller.role}:${request.caller.keyId}`,
      });
    } catch (error) {
      throw error instanceof HistoryImportException ? fail(error) : error;
    }
  }

  @Get()
  @ApiOperation({ summary: 'Recent historical imports with their progress and counts (newest first)' })
  @ApiQuery({ name: 'platformId', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1..500 (default 50)' })
  list(@Req() request: AuthenticatedRequest, @Query('platformId') platformId?: string, @Query('limit') limit?: string) {
    return this.imports.list(platformScope(request.caller, platformId), Math.max(1, parseLimit(limit, 50, 500)));
  }

  @Get(':importId')
  @ApiOperation({ summary: 'One import: progress (bytes and rows so far), counts, rejected rows' })
  get(@Req() request: AuthenticatedRequest, @Param('importId') importId: string) {
    if (!UUID_V7.test(importId)) throw new HistoryImportException(HistoryImportExceptionCode.IMPORT_NOT_FOUND, `no import ${importId.slice(0, 100)} is visible to this key`);
    return this.imports.get(importId, platformScope(request.caller, undefined));
  }
}

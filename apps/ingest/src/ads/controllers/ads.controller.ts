import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AD_ID_PATTERN } from '@vigie/contracts';
import { openApiSchema, parseRequestBody, SERVICE_SETTINGS } from '@vigie/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import type { IngestSettings } from '../../ingest.settings';
import { AllowRoles, ApiKeyGuard } from '../../platforms/guards/api-key.guard';
import { PlatformRegistry } from '../../platforms/services/platform-registry.service';
import { AdBatchBody, MAX_ADS_PER_BATCH, RemovalBody } from '../dtos/ad.dtos';
import { AdIntakeException, AdIntakeExceptionCode } from '../exceptions/ad-intake.exception';
import { AdSubmissionService } from '../services/ad-submission.service';
import { NdjsonImportService } from '../services/ndjson-import.service';
import { PublishGate } from '../services/publish-gate.service';

const adIdPattern = new RegExp(AD_ID_PATTERN);

@ApiTags('ads')
@ApiBearerAuth()
@Controller('platforms/:platformId/ads')
@UseGuards(ApiKeyGuard)
@AllowRoles('platform', 'admin')
export class AdsController {
  constructor(
    private readonly submissions: AdSubmissionService,
    private readonly ndjson: NdjsonImportService,
    private readonly gate: PublishGate,
    private readonly registry: PlatformRegistry,
    private readonly dataSource: DataSource,
    @Inject(SERVICE_SETTINGS) private readonly settings: IngestSettings,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Submit a batch of ads',
    description:
      'Per-item results: `accepted` (an event was published, with its id and version), `duplicate` (same content already recorded) or `rejected` (with field and reason). Answered only after the broker acknowledged every accepted ad.',
  })
  @ApiBody({ schema: openApiSchema(AdBatchBody) })
  async submitBatch(@Param('platformId') platformId: string, @Body() body: unknown) {
    const receivedAt = new Date();
    await this.registry.requireExists(platformId);
    if (!Array.isArray(body)) {
      throw new AdIntakeException(AdIntakeExceptionCode.NOT_AN_ARRAY, 'the body must be a JSON array of ads');
    }
    if (body.length === 0) throw new AdIntakeException(AdIntakeExceptionCode.EMPTY_BATCH, 'the batch is empty');
    if (body.length > MAX_ADS_PER_BATCH) {
      throw new AdIntakeException(
        AdIntakeExceptionCode.BATCH_TOO_LARGE,
        `the batch has ${body.length} ads; the limit is ${MAX_ADS_PER_BATCH} (use the NDJSON endpoint for backfills)`,
      );
    }
    return this.gate.admit(() => this.submissions.submit(platformId, body, 'http-batch', receivedAt));
  }

  @Post('ndjson')
  @HttpCode(200)
  @ApiConsumes('application/x-ndjson')
  @ApiOperation({
    summary: 'Stream a backfill as NDJSON (one ad per line)',
    description:
      'Read with backpressure and recorded in chunks of 1,000 lines, 8 MiB or one second. The answer gives the line count, accepted/duplicate/rejected counts and each bad line with its number (the first 1,000). On 503 (broker or database away) and 408 (nothing received for INGEST_NDJSON_IDLE_TIMEOUT_MS) the body says from which line to resume, with the counts up to it.',
  })
  async submitNdjson(
    @Param('platformId') platformId: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.registry.requireExists(platformId);
    const contentType = request.headers['content-type'] ?? '';
    if (!contentType.startsWith('application/x-ndjson')) {
      throw new AdIntakeException(AdIntakeExceptionCode.WRONG_CONTENT_TYPE, 'send the backfill with Content-Type: application/x-ndjson');
    }
    try {
      return await this.gate.admit(() => this.ndjson.import(platformId, request.body as Readable, this.settings.ndjsonIdleTimeoutMs));
    } catch (error) {
      // The rest of the upload is left unread: answer, then close the connection, or the
      // client's next request on it (keep-alive) would wait forever behind the unread bytes.
      reply.header('Connection', 'close');
      reply.raw.once('finish', () => request.raw.destroy());
      throw error;
    }
  }

  @Post(':adId/removal')
  @HttpCode(200)
  @ApiOperation({ summary: 'Report that an ad is no longer online (removal evidence for the audit)' })
  @ApiBody({ schema: openApiSchema(RemovalBody) })
  async reportRemoval(@Param('platformId') platformId: string, @Param('adId') adId: string, @Body() body: unknown) {
    const receivedAt = new Date();
    await this.registry.requireExists(platformId);
    if (!adIdPattern.test(adId)) {
      throw new AdIntakeException(AdIntakeExceptionCode.INVALID_REMOVAL, 'the ad id in the path is not a valid platform ad id');
    }
    const removal = parseRequestBody(RemovalBody, body);
    if (Date.parse(removal.removedAt) > receivedAt.getTime() + this.settings.maxFutureSkewMs) {
      throw new AdIntakeException(AdIntakeExceptionCode.INVALID_REMOVAL, `removedAt is in the future (server time ${receivedAt.toISOString()})`);
    }
    const report = await this.gate.admit(() =>
      this.submissions.submitItems(
        platformId,
        [
          {
            kind: 'removal',
            index: 0,
            adId,
            removedAt: removal.removedAt,
            removedBy: removal.removedBy ?? 'unknown',
            commandId: removal.commandId ?? null,
            reason: removal.reason ?? null,
          },
        ],
        'http-batch',
        receivedAt,
      ),
    );
    return report.results[0];
  }

  @Get(':adId')
  @ApiOperation({ summary: "What ingest knows of one of the platform's ads: version, content hash, status" })
  async get(@Param('platformId') platformId: string, @Param('adId') adId: string) {
    await this.registry.requireExists(platformId);
    const [row] = await this.dataSource.query(
      `SELECT ad_id, version, content_hash, status, first_received_at, last_received_at, removed_at, last_event_id
         FROM ingest.ads WHERE platform_id = $1 AND ad_id = $2`,
      [platformId, adId],
    );
    if (!row) throw new AdIntakeException(AdIntakeExceptionCode.AD_NOT_FOUND, `no ad "${adId}" for platform "${platformId}"`);
    return {
      platformAdId: row.ad_id,
      version: row.version,
      contentHash: row.content_hash || null,
      status: row.status,
      firstReceivedAt: row.first_received_at.toISOString(),
      lastReceivedAt: row.last_received_at.toISOString(),
      removedAt: row.removed_at?.toISOString() ?? null,
      lastEventId: row.last_event_id,
    };
  }
}

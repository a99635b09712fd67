import { Controller, Get, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowCallers, RemoteApiKeyGuard } from '@vigie/service-kit';
import { DataSource } from 'typeorm';

@ApiTags('assessments')
@ApiBearerAuth()
@Controller('platforms/:platformId')
@UseGuards(RemoteApiKeyGuard)
@AllowCallers('platform', 'admin')
export class AssessmentsController {
  constructor(private readonly dataSource: DataSource) {}

  // Moderators decide with the evidence in front of them, officers and regulators audit it; a
  // key bound to a platform reads that platform's ads only (the guard checks :platformId).
  @Get('ads/:adId/assessment')
  @AllowCallers('platform', 'moderator', 'officer', 'regulator', 'admin')
  @ApiOperation({ summary: "The latest assessment of one of the platform's ads, with its explanation and evidence spans" })
  async assessment(@Param('platformId') platformId: string, @Param('adId') adId: string) {
    const [row] = await this.dataSource.query(
      `SELECT ad_id, ad_version, assessment, explanation, received_at, assessed_at, removed, last_event_id
         FROM scoring.assessments WHERE platform_id = $1 AND ad_id = $2`,
      [platformId, adId],
    );
    if (!row) throw new NotFoundException({ statusCode: 404, code: 'ASSESSMENT_NOT_FOUND', message: `no assessment of ad "${adId}"` });
    return {
      platformAdId: row.ad_id,
      ...row.assessment,
      explanation: row.explanation,
      receivedAt: row.received_at.toISOString(),
      assessedAt: row.assessed_at.toISOString(),
      removed: row.removed,
      eventId: row.last_event_id,
    };
  }

  @Get('contacts/:contact/ads')
  @ApiOperation({ summary: "The platform's ads that share a contact (E.164 phone, e-mail or handle)" })
  async contactAds(@Param('platformId') platformId: string, @Param('contact') contact: string) {
    const rows: { ad_id: string; band: string; score: number; city: string | null; received_at: Date }[] = await this.dataSource.query(
      `SELECT ad_id, band, score, city, received_at FROM scoring.assessments
        WHERE platform_id = $1 AND contacts @> ARRAY[$2]::text[] ORDER BY received_at DESC LIMIT 500`,
      [platformId, contact],
    );
    // Only this platform's ads: the cross-platform graph stays inside Vigie (it feeds scores, not answers).
    return {
      contact,
      ads: rows.map((row) => ({ platformAdId: row.ad_id, band: row.band, score: row.score, city: row.city, receivedAt: row.received_at.toISOString() })),
    };
  }
}

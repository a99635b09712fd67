import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import { UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AllowCallers, RemoteApiKeyGuard, type AuthenticatedRequest } from '@vigie/service-kit';
import type { FastifyReply } from 'fastify';
import { toCsv, wantsCsv } from '../services/csv';
import { parseLimit, parseOneOf, parsePeriod, platformScope, REPORT_CATEGORIES, REPORT_SOURCES } from '../services/report-scope';
import { SlaReportService, slaReportCsv } from '../services/sla-report.service';
import { TimelineService, timelineCsv } from '../services/timeline.service';
import { TransparencyReportService, transparencyCsv } from '../services/transparency-report.service';

type Csv = { header: string[]; rows: unknown[][] };

/** Answers JSON, or CSV when asked by `?format=csv` or `Accept: text/csv`. */
function answer<T>(reply: FastifyReply, csv: boolean, value: T, toRows: (value: T) => Csv, filename: string): T | string {
  if (!csv) return value;
  const { header, rows } = toRows(value);
  void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}.csv"`);
  return toCsv(header, rows);
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller()
@UseGuards(RemoteApiKeyGuard)
@AllowCallers('officer', 'regulator', 'admin')
export class ReportsController {
  constructor(
    private readonly sla: SlaReportService,
    private readonly timelines: TimelineService,
    private readonly transparency: TransparencyReportService,
  ) {}

  @Get('reports/sla')
  @ApiOperation({ summary: 'SLA compliance: counts by state, time to response and removal (median, p90, p99, max), breach list with timeline links' })
  @ApiProduces('application/json', 'text/csv')
  @ApiQuery({ name: 'from', required: false, description: 'cases opened from (ISO date/time, inclusive)' })
  @ApiQuery({ name: 'to', required: false, description: 'cases opened before (exclusive); default now' })
  @ApiQuery({ name: 'platformId', required: false })
  @ApiQuery({ name: 'category', required: false, enum: REPORT_CATEGORIES })
  @ApiQuery({ name: 'source', required: false, enum: REPORT_SOURCES })
  @ApiQuery({ name: 'limit', required: false, description: 'breaches listed, 0..10000 (default 100)' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async slaReport(
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('accept') accept?: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
    @Query('platformId') platformId?: string,
    @Query('category') category?: string,
    @Query('source') source?: string,
    @Query('limit') limit?: string,
    @Query('format') format?: string,
  ) {
    const report = await this.sla.report({
      ...parsePeriod(from, to),
      platformId: platformScope(request.caller, platformId),
      category: parseOneOf(category, 'category', REPORT_CATEGORIES),
      source: parseOneOf(source, 'source', REPORT_SOURCES),
      breachLimit: parseLimit(limit, 100, 10_000),
    });
    return answer(reply, wantsCsv(format, accept), report, slaReportCsv, 'sla-report');
  }

  @Get('reports/transparency')
  @ApiOperation({ summary: 'DSA Art. 15/24 transparency figures: notices, trusted flaggers, actions by ground, automation, median time to action, appeals, Art. 23 suspensions' })
  @ApiProduces('application/json', 'text/csv')
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'platformId', required: false })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async transparencyReport(
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('accept') accept?: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
    @Query('platformId') platformId?: string,
    @Query('format') format?: string,
  ) {
    const report = await this.transparency.report(parsePeriod(from, to), platformScope(request.caller, platformId));
    return answer(reply, wantsCsv(format, accept), report, transparencyCsv, 'transparency-report');
  }

  @Get('cases/:caseId/timeline')
  @ApiOperation({ summary: "A case's facts in time order with the knowledge marker, deadlines, SLA states, anomalies and the chain's verification" })
  @ApiProduces('application/json', 'text/csv')
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async timeline(
    @Param('caseId') caseId: string,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('accept') accept?: string,
    @Query('format') format?: string,
  ) {
    const timeline = await this.timelines.timeline(caseId, request.caller);
    return answer(reply, wantsCsv(format, accept), timeline, timelineCsv, `timeline-${caseId}`);
  }
}

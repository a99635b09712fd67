import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AllowCallers, RemoteApiKeyGuard, type AuthenticatedRequest } from '@vigie/service-kit';
import { parsePeriod, platformScope } from '../../reports/services/report-scope';
import { StatementsExportService } from '../services/statements-export.service';

@ApiTags('exports')
@ApiBearerAuth()
@Controller('exports')
@UseGuards(RemoteApiKeyGuard)
@AllowCallers('officer', 'regulator', 'admin')
export class ExportsController {
  constructor(private readonly statements: StatementsExportService) {}

  @Get('statements-of-reasons')
  @ApiOperation({ summary: 'Statements of reasons as EU Transparency Database batches (1–100, validated; rejects listed with reasons)' })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'platformId', required: false })
  statementsOfReasons(@Req() request: AuthenticatedRequest, @Query('from') from?: string, @Query('to') to?: string, @Query('platformId') platformId?: string) {
    return this.statements.export(parsePeriod(from, to), platformScope(request.caller, platformId));
  }
}

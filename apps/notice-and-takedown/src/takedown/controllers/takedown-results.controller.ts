import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowCallers, openApiSchema, parseRequestBody, RemoteApiKeyGuard } from '@vigie/service-kit';
import { TakedownResultBody } from '../dtos/takedown-result.dtos';
import { TakedownConfirmations } from '../services/takedown-confirmations.service';

@ApiTags('takedown (platforms)')
@ApiBearerAuth()
@Controller('platforms/:platformId/takedown-results')
@UseGuards(RemoteApiKeyGuard)
@AllowCallers('platform', 'admin')
export class TakedownResultsController {
  constructor(private readonly confirmations: TakedownConfirmations) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Confirm that a takedown or reinstatement command took effect',
    description:
      'Idempotent: confirming the same command again changes nothing (`duplicate: true`). 404 for a command that is not this platform\'s, 409 when the action differs from the one commanded. The removal is then checked independently by an HTTP probe of the ad\'s address.',
  })
  @ApiBody({ schema: openApiSchema(TakedownResultBody) })
  confirm(@Param('platformId') platformId: string, @Body() body: unknown) {
    return this.confirmations.confirmFromCallback(platformId, parseRequestBody(TakedownResultBody, body));
  }
}

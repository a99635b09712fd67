import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowCallers, RemoteApiKeyGuard } from '@vigie/service-kit';
import { ProjectorService } from '../services/projector.service';

@ApiTags('projections')
@ApiBearerAuth()
@Controller('admin/projections')
@UseGuards(RemoteApiKeyGuard)
@AllowCallers('admin')
export class ProjectionsController {
  constructor(private readonly projector: ProjectorService) {}

  @Get()
  @ApiOperation({ summary: 'How far the projections have read the log' })
  async status() {
    return { position: await this.projector.position() };
  }

  @Post('rebuild')
  @HttpCode(200)
  @ApiOperation({ summary: 'Empties the projections and replays the whole log (same result as before); alerts already sent stay sent' })
  rebuild() {
    return this.projector.rebuild();
  }
}

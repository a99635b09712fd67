import { Body, Controller, Get, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowCallers, openApiSchema, parseRequestBody, RemoteApiKeyGuard } from '@vigie/service-kit';
import { HashListImportBody } from '../dtos/hash-list.dtos';
import { HashListStore } from '../services/hash-list-store.service';

@ApiTags('hash lists (admin)')
@ApiBearerAuth()
@Controller('admin/hash-lists')
@UseGuards(RemoteApiKeyGuard)
@AllowCallers('admin')
export class HashListsController {
  constructor(private readonly store: HashListStore) {}

  @Post()
  @ApiOperation({
    summary: 'Import known-image PDQ hashes from a list',
    description: 'Idempotent per (list, hash). Hashes of quality below 50 are stored but never matched. Ads are matched at Hamming distance ≤ 31.',
  })
  @ApiBody({ schema: openApiSchema(HashListImportBody) })
  import(@Body() body: unknown) {
    return this.store.import(parseRequestBody(HashListImportBody, body));
  }

  @Get()
  @ApiOperation({ summary: 'Imported hash lists' })
  lists() {
    return this.store.lists();
  }
}

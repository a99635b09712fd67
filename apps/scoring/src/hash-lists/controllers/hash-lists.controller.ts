import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowCallers, openApiSchema, parseRequestBody, RemoteApiKeyGuard } from '@vigie/service-kit';
import { HashListImportBody, HashListWithdrawalBody, LIST_ID_PATTERN } from '../dtos/hash-list.dtos';
import { HashListException, HashListExceptionCode } from '../exceptions/hash-list.exception';
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

  @Post(':listId/withdrawals')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Withdraw hashes from a list',
    description: 'For hashes the list\'s publisher took back (e.g. false positives): deleted and never matched again. Ads already scored on them are not re-assessed. 404 LIST_NOT_FOUND for an unknown list.',
  })
  @ApiBody({ schema: openApiSchema(HashListWithdrawalBody) })
  withdraw(@Param('listId') listId: string, @Body() body: unknown) {
    return this.store.withdraw(knownListId(listId), parseRequestBody(HashListWithdrawalBody, body));
  }

  @Delete(':listId')
  @ApiOperation({ summary: 'Delete a list and all its hashes', description: '404 LIST_NOT_FOUND for an unknown list.' })
  remove(@Param('listId') listId: string) {
    return this.store.remove(knownListId(listId));
  }

  @Get()
  @ApiOperation({ summary: 'Imported hash lists' })
  lists() {
    return this.store.lists();
  }
}

const LIST_ID = new RegExp(LIST_ID_PATTERN);

/** A list id as imports accept it; any other cannot name a list. */
function knownListId(listId: string): string {
  if (!LIST_ID.test(listId)) throw new HashListException(HashListExceptionCode.LIST_NOT_FOUND, `no hash list "${listId.slice(0, 100)}"`);
  return listId;
}

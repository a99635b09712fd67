import { Module } from '@nestjs/common';
import { ExportsController } from './controllers/exports.controller';
import { StatementsExportService } from './services/statements-export.service';

@Module({
  controllers: [ExportsController],
  providers: [StatementsExportService],
})
export class ExportsModule {}

import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { ReviewModule } from '../review/review.module';
import { TakedownModule } from '../takedown/takedown.module';
import { AppealsController } from './controllers/appeals.controller';
import { AppealsService } from './services/appeals.service';

/** DSA Art. 20 appeals and the reinstatements they cause. */
@Module({
  imports: [CasesModule, ReviewModule, TakedownModule],
  controllers: [AppealsController],
  providers: [AppealsService],
})
export class AppealsModule {}

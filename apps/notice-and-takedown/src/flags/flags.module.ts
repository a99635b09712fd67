import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { ReviewModule } from '../review/review.module';
import { AdsScoredConsumer } from './consumers/ads-scored.consumer';

/** Automated flags from scoring open cases; known hashes and stated minors are removed at once. */
@Module({
  imports: [CasesModule, ReviewModule],
  controllers: [AdsScoredConsumer],
})
export class FlagsModule {}

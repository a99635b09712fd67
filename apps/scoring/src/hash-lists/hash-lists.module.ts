import { Module } from '@nestjs/common';
import { AssessmentsModule } from '../assessments/assessments.module';
import { HashListsController } from './controllers/hash-lists.controller';
import { HashListStore } from './services/hash-list-store.service';

/** Known-image hash lists: import through the API, matched against every ad's image hashes. */
@Module({
  imports: [AssessmentsModule],
  controllers: [HashListsController],
  providers: [HashListStore],
})
export class HashListsModule {}

import { Module } from '@nestjs/common';
import { AssessmentsModule } from '../assessments/assessments.module';
import { HashListsModule } from '../hash-lists/hash-lists.module';

/** The scoring service: assessments of every ad and the known-image hash lists. */
@Module({ imports: [AssessmentsModule, HashListsModule] })
export class ScoringModule {}

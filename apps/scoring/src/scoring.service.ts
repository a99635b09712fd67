import type { ServiceDefinition } from '@vigie/service-kit';
import { ScoringModule } from './app/scoring.module';
import { scoringMigrations } from './migrations';

export const scoringService: ServiceDefinition = {
  name: 'scoring',
  description:
    'Scores every ingested ad for trafficking and minor indicators and network signals (shared contacts, templates, known-image hashes), with explainable evidence. Authenticate with `Authorization: Bearer <API key>` (keys are issued by ingest).',
  defaultPort: 3002,
  schema: 'scoring',
  migrations: scoringMigrations,
  module: ScoringModule,
};

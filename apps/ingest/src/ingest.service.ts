import type { ServiceDefinition } from '@vigie/service-kit';
import { IngestModule } from './app/ingest.module';
import { ingestMigrations } from './migrations';

export const ingestService: ServiceDefinition = {
  name: 'ingest',
  description: "Takes in platforms' ad streams (HTTP batch, NDJSON, Kafka), validates, normalises and de-duplicates them.",
  defaultPort: 3001,
  schema: 'ingest',
  migrations: ingestMigrations,
  module: IngestModule,
};

import type { ServiceDefinition } from '@vigie/service-kit';
import { IngestModule } from './app/ingest.module';
import { loadIngestSettings } from './ingest.settings';
import { ingestMigrations } from './migrations';

export const ingestService: ServiceDefinition = {
  name: 'ingest',
  description:
    "Takes in platforms' ad streams (HTTP batch, NDJSON backfill, Kafka), validates, normalises and de-duplicates them, and publishes ad events once the broker has them. Authenticate with `Authorization: Bearer <API key>`.",
  defaultPort: 3001,
  schema: 'ingest',
  migrations: ingestMigrations,
  module: IngestModule,
  settings: loadIngestSettings,
  configureHttp: (fastify) => {
    // NDJSON backfills are read as a stream by the handler, with backpressure, never buffered whole.
    fastify.addContentTypeParser('application/x-ndjson', (_request, payload, done) => done(null, payload));
  },
};

import type { ServiceDefinition } from '@vigie/service-kit';
import { AuditModule } from './app/audit.module';
import { loadAuditSettings } from './audit.settings';
import { loggedSubjectTraces } from './log/services/subject-traces';
import { auditMigrations } from './migrations';

export const auditService: ServiceDefinition = {
  name: 'audit',
  description:
    'Hash-chained append-only log of every event, signed checkpoints, verification and evidence bundles, the SLA engine, compliance reports and DSA exports. Authenticate with `Authorization: Bearer <API key>` (keys are issued by ingest); `GET /keys` is public.',
  defaultPort: 3004,
  schema: 'audit',
  migrations: auditMigrations,
  module: AuditModule,
  settings: loadAuditSettings,
  // Appends hold the log's append lock until they commit, so each transaction's fixed cost (round
  // trips, lock hand-over, the commit's WAL flush) bounds the rate: 4,000 events a transaction
  // instead of 1,000 appended 10–22 % more events per second in bench:audit (side by side).
  // Larger fetches too (8 MB a partition, 32 MB in all) made it 30 %, but took audit's peak RSS
  // in bench:pipeline from about 270 MB to 350, over the 300 MB target.
  // The log is its own inbox: each event id is unique in it and the appender skips those it
  // holds. An inbox row per event as well cost a second unique index write per event and grew
  // as fast as the log; without it bench:audit appended 4–11 % more events per second and its
  // projections caught up 27–29 % sooner (side by side, two rounds each).
  consumer: { deduplication: 'handler', maxEventsPerTransaction: 4000 },
  // SLA alerts about an ad join the ad's trace, as the log last saw it.
  subjectTraces: loggedSubjectTraces,
  configureHttp: (fastify) => {
    // Historical moderation logs are read as streams by the import, with backpressure, never buffered whole.
    for (const type of ['text/csv', 'application/x-ndjson']) fastify.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
  },
};

import type { ServiceDefinition } from '@vigie/service-kit';
import { AuditModule } from './app/audit.module';
import { auditMigrations } from './migrations';

export const auditService: ServiceDefinition = {
  name: 'audit',
  description: 'Hash-chained append-only log of every event, the SLA engine, compliance reports, DSA exports and verification.',
  defaultPort: 3004,
  schema: 'audit',
  migrations: auditMigrations,
  module: AuditModule,
};

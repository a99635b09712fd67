export { bootstrapService, runService } from './lib/bootstrap/bootstrap-service';
export type { RunningService, ServiceDefinition } from './lib/bootstrap/bootstrap-service';
export { ConfigurationError, loadServiceConfig } from './lib/config/service-config';
export { EnvReader } from './lib/config/env-reader';
export type { LogLevel, ServiceConfig } from './lib/config/service-config';
export { AutovacuumStandIn, tablesToAnalyze, tablesToVacuum } from './lib/database/autovacuum-stand-in';
export type { AutovacuumStandInOptions, SweepResult, TableActivity } from './lib/database/autovacuum-stand-in';
export { createServiceDataSource, migrateServiceSchema } from './lib/database/service-data-source';
export type { ServiceDataSourceOptions } from './lib/database/service-data-source';
export { updateReturning } from './lib/database/update-returning';
export { ReadinessService } from './lib/health/readiness.service';
export { installRequestInputChecks, installStrictJsonParser, MAX_JSON_DEPTH, requestError } from './lib/http/strict-json-parser';
export {
  EVENT_PUBLISHER,
  KAFKA_CLIENT,
  MESSAGING_METRICS,
  METRICS_REGISTRY,
  OUTBOX,
  RELAY,
  SERVICE_CONFIG,
  SERVICE_LOGGER,
  SERVICE_SETTINGS,
} from './lib/infrastructure';
export type { ServiceInfrastructure } from './lib/infrastructure';
export { createLogger, PinoNestLogger } from './lib/logging/logger';
export { literalUnion, openApiSchema, parseRequestBody } from './lib/http/request-body';
export { AllowAnonymous, AllowCallers, CALLER_ROLES, RemoteApiKeyGuard } from './lib/auth/remote-api-key.guard';
export type { AuthenticatedRequest, Caller, CallerRole, MaybeAuthenticatedRequest } from './lib/auth/remote-api-key.guard';
export { CodedHttpException, type FieldError } from './lib/errors/coded-http.exception';
export { DATABASE_RETRY_AFTER_SECONDS } from './lib/errors/service-exception.filter';

export {
  startVigieInfrastructure,
  type InfrastructureMode,
  type StartVigieInfrastructureOptions,
  type VigieInfrastructure,
} from './start-vigie-infrastructure';
export { isDockerEngineAvailable } from './docker-engine';
export { freePort } from './lib/free-port';
export { openTestDatabasePool } from './lib/test-database-pool';
export {
  compiledCodeIsCurrent,
  requireEnv,
  sleep,
  startVigieStack,
  waitFor,
  type ServiceOutput,
  type StackRuntime,
  type StackServiceName,
  type StartVigieStackOptions,
  type VigieStack,
} from './lib/vigie-stack';

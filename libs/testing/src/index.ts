export {
  startVigieInfrastructure,
  type InfrastructureMode,
  type StartVigieInfrastructureOptions,
  type VigieInfrastructure,
} from './start-vigie-infrastructure';
export { isDockerEngineAvailable } from './docker-engine';
export { freePort } from './lib/free-port';

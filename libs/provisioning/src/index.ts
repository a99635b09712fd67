export { kafkaDistribution, provisionKafka, type KafkaEndpoint, type ProvisionKafkaOptions } from './kafka/provision-kafka';
export { type KafkaDistribution } from './kafka/kafka-jars';
export { waitForKafka, type WaitForKafkaOptions } from './kafka/wait-for-kafka';
export { parseBrokerList } from './kafka/broker-list';
export { newClusterId } from './kafka/kafka-config';
export {
  provisionPostgres,
  DEFAULT_LOCAL_ADMIN_URL,
  type DatabaseEndpoint,
  type ProvisionPostgresOptions,
} from './postgres/provision-postgres';
export { createDatabaseIfMissing, dropDatabaseIfExists, databaseUrl, redactUrl } from './postgres/database-admin';
export { findFreePort, isPortFree } from './ports';
export { findRepoRoot } from './repo-root';
export { logToStderr, type ProvisioningLog } from './log';
export { SERVICES, serviceNodeArgs, serviceProcessSpec, type ServiceProcessSpec } from './services/service-processes';

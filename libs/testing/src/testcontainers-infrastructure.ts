import { databaseUrl, newClusterId, waitForKafka } from '@vigie/provisioning';

const KAFKA_IMAGE = 'apache/kafka:3.9.1';
const POSTGRES_IMAGE = 'postgres:16-alpine';
// Listener published to the host; BROKER (inter-broker) and CONTROLLER stay inside the container.
const KAFKA_PORT = 9092;
const START_SCRIPT = '/tmp/vigie-start.sh';
// Copied after the script, so the container never runs a script that is still being written.
const START_FLAG = '/tmp/vigie-start.ready';
const WAITING_LINE = 'vigie: waiting for the start script';
const POSTGRES_PASSWORD = 'postgres';

export interface StartedService<T> {
  value: T;
  stop(): Promise<void>;
}

/**
 * A single-node KRaft broker in apache/kafka. Clients must be told the host-side address
 * (host + mapped port), which is only known once the container runs, so the container waits
 * for a start script carrying that address before it launches the broker.
 */
export async function startKafkaContainer(): Promise<StartedService<string[]>> {
  // Loaded only once a Docker engine answered: the package is heavy and useless without one.
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts(KAFKA_PORT)
    .withEnvironment({
      CLUSTER_ID: newClusterId(),
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${KAFKA_PORT},BROKER://0.0.0.0:9093,CONTROLLER://0.0.0.0:9094`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9094',
      KAFKA_NUM_PARTITIONS: '6',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '10',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withCommand([
      'sh',
      '-c',
      `echo '${WAITING_LINE}'; while [ ! -f ${START_FLAG} ]; do sleep 0.1; done; exec sh ${START_SCRIPT}`,
    ])
    .withWaitStrategy(Wait.forLogMessage(WAITING_LINE))
    .start();
  const brokers = [`${container.getHost()}:${container.getMappedPort(KAFKA_PORT)}`];
  try {
    await container.copyContentToContainer([
      {
        content: `export KAFKA_ADVERTISED_LISTENERS="PLAINTEXT://${brokers[0]},BROKER://$(hostname):9093"\nexec /etc/kafka/docker/run\n`,
        target: START_SCRIPT,
      },
    ]);
    await container.copyContentToContainer([{ content: '', target: START_FLAG }]);
    await waitForKafka(brokers, { timeoutMs: 90_000 });
  } catch (error) {
    await container.stop();
    throw error;
  }
  return { value: brokers, stop: async () => void (await container.stop()) };
}

/** PostgreSQL 16 with database `database` created by the image's entrypoint. */
export async function startPostgresContainer(database: string): Promise<StartedService<string>> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(POSTGRES_IMAGE)
    .withExposedPorts(5432)
    .withEnvironment({ POSTGRES_PASSWORD, POSTGRES_DB: database })
    // The entrypoint restarts the server after initialising it: the second "ready" is the real one.
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  const adminUrl = `postgres://postgres:${POSTGRES_PASSWORD}@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
  return { value: databaseUrl(adminUrl, database), stop: async () => void (await container.stop()) };
}

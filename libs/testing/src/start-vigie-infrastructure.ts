import {
  logToStderr,
  parseBrokerList,
  provisionKafka,
  provisionPostgres,
  ProvisioningLog,
} from '@vigie/provisioning';
import { isDockerEngineAvailable } from './docker-engine';
import { startKafkaContainer, startPostgresContainer, StartedService } from './testcontainers-infrastructure';

export type InfrastructureMode = 'external' | 'testcontainers' | 'local';

export interface VigieInfrastructure {
  /** Kafka bootstrap servers, `host:port`. */
  brokers: string[];
  databaseUrl: string;
  /** external: KAFKA_BROKERS + DATABASE_URL as given; testcontainers: Docker; local: Java + Maven broker, local or embedded PostgreSQL. */
  mode: InfrastructureMode;
  /** Stops whatever this call started; idempotent. */
  stop(): Promise<void>;
}

export interface StartVigieInfrastructureOptions {
  /** Where KAFKA_BROKERS, DATABASE_URL, DOCKER_HOST and CI are read from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Database to create when one is provisioned; default "vigie". */
  database?: string;
  log?: ProvisioningLog;
}

const DEFAULT_DATABASE = 'vigie';

function given<T>(value: T): StartedService<T> {
  return { value, stop: async () => undefined };
}

/** Starts both services together; if either fails, the other is stopped before the error surfaces. */
async function startBoth(
  mode: InfrastructureMode,
  kafka: Promise<StartedService<string[]>>,
  postgres: Promise<StartedService<string>>,
): Promise<VigieInfrastructure> {
  const [brokers, database] = await Promise.allSettled([kafka, postgres]);
  if (brokers.status === 'rejected' || database.status === 'rejected') {
    await Promise.allSettled([brokers, database].map((started) => started.status === 'fulfilled' && started.value.stop()));
    throw brokers.status === 'rejected' ? brokers.reason : (database as PromiseRejectedResult).reason;
  }
  let stopping: Promise<void> | undefined;
  return {
    brokers: brokers.value.value,
    databaseUrl: database.value.value,
    mode,
    stop: () => (stopping ??= Promise.all([brokers.value.stop(), database.value.stop()]).then(() => undefined)),
  };
}

function explainUnavailable(error: unknown, env: NodeJS.ProcessEnv): Error {
  const ci = env['CI'] === 'true' ? ' CI=true: integration tests never skip, so this fails the run.' : '';
  return new Error(
    `Vigie's test infrastructure (Kafka + PostgreSQL) is unavailable: ${(error as Error).message}\n` +
      'Provide it one of these ways: set KAFKA_BROKERS and DATABASE_URL; run a Docker engine (Testcontainers ' +
      'starts both); or install Java 17 + Maven (a local broker) with a local PostgreSQL or the embedded one.' +
      ci,
    { cause: error },
  );
}

/**
 * Kafka and PostgreSQL for integration tests, from the first available of: KAFKA_BROKERS and
 * DATABASE_URL as given (what `npm test` sets); containers when a Docker engine answers; local
 * provisioning (@vigie/provisioning). Whichever of the two variables is set is always used as is.
 * Never skips: when nothing is available it throws, explaining how to provide the services.
 */
export async function startVigieInfrastructure(options: StartVigieInfrastructureOptions = {}): Promise<VigieInfrastructure> {
  const env = options.env ?? process.env;
  const database = options.database ?? DEFAULT_DATABASE;
  const log = options.log ?? logToStderr;
  const brokers = parseBrokerList(env['KAFKA_BROKERS']);
  const databaseUrl = env['DATABASE_URL'];
  if (brokers.length > 0 && databaseUrl) return startBoth('external', Promise.resolve(given(brokers)), Promise.resolve(given(databaseUrl)));

  try {
    if (await isDockerEngineAvailable(env)) {
      log('a Docker engine answers: starting the missing services with Testcontainers');
      return await startBoth(
        'testcontainers',
        brokers.length > 0 ? Promise.resolve(given(brokers)) : startKafkaContainer(),
        databaseUrl ? Promise.resolve(given(databaseUrl)) : startPostgresContainer(database),
      );
    }
    return await startBoth(
      'local',
      provisionKafka({ env, log }).then((kafka) => ({ value: kafka.brokers, stop: kafka.stop })),
      provisionPostgres({ env, database, log }).then((postgres) => ({ value: postgres.url, stop: postgres.stop })),
    );
  } catch (error) {
    throw explainUnavailable(error, env);
  }
}

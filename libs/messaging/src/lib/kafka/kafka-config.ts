import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig, type logCreator } from 'kafkajs';

export interface KafkaClientOptions {
  brokers: readonly string[];
  clientId: string;
  /** Receives kafkajs's own log lines so they end up in the service's JSON log. */
  log?: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

const levelNames: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/** Parses `KAFKA_BROKERS` ("host:port,host:port") into a broker list. */
export function parseBrokerList(value: string): string[] {
  const brokers = value
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) {
      throw new Error(`invalid broker address "${broker}": expected host:port`);
    }
  }
  if (brokers.length === 0) throw new Error('no broker address given');
  return brokers;
}

/** The one place where kafkajs clients are configured, so every service behaves alike. */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const forward = options.log;
  const logCreatorFn: logCreator | undefined = forward
    ? () =>
        ({ level, log }) => {
          const { message, ...extra } = log;
          forward(levelNames[level] ?? 'info', String(message), extra);
        }
    : undefined;
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30000,
    // Without a forwarder (scripts, tests) only errors reach the console.
    logLevel: forward ? KafkaLogLevel.WARN : KafkaLogLevel.ERROR,
    logCreator: logCreatorFn,
    retry: { initialRetryTime: 200, retries: 8 },
  };
  return new Kafka(config);
}
